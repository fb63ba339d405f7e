package io.bklog.server.chaos;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * A MariaDB server of the test's own: {@code mariadb-install-db} makes a data dir under the test's work dir, and
 * {@code mariadbd} serves it on a free port (root, empty password, TCP on 127.0.0.1 only), so the machine's shared
 * MariaDB is never stopped. {@link #stop()} shuts it down cleanly (SIGTERM), {@link #start()} brings it back with its
 * data and port. When this JVM runs as root, the server runs as root too ({@code --user=root}). Needs the Debian
 * package {@code mariadb-server} ({@code apt-get install -y mariadb-server}).
 */
final class PrivateMariaDb implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PrivateMariaDb.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Path dir;
    private final Path dataDir;
    private final Path errorLog;
    private final Path socket;
    private final int port;
    private final boolean root = "root".equals(System.getProperty("user.name"));
    private final List<String> options;
    private Process process;

    PrivateMariaDb(Path dir) {
        this(dir, List.of());
    }

    /**
     * With more {@code mariadbd} options ({@code --server-id=2}, ...); binary logging stays off unless one of them is
     * {@code --log-bin...}.
     */
    PrivateMariaDb(Path dir, List<String> options) {
        this.options = List.copyOf(options);
        this.dir = dir;
        this.dataDir = dir.resolve("data");
        this.errorLog = dir.resolve("mariadbd.err");
        this.port = Ports.free();
        // a unix socket path must stay below 108 bytes, so not under a deep build directory
        this.socket = Path.of(System.getProperty("java.io.tmpdir"), "bklog-chaos-mariadb-" + port + ".sock");
    }

    int port() {
        return port;
    }

    /** The data dir {@link #install()} makes. */
    Path dataDir() {
        return dataDir;
    }

    String jdbcUrl(String database) {
        return "jdbc:mariadb://127.0.0.1:" + port + "/" + database;
    }

    /** Makes the data dir (system tables, root with an empty password over TCP). */
    void install() {
        String installer = binary("mariadb-install-db", "mysql_install_db");
        List<String> cmd = new ArrayList<>(List.of(installer, "--no-defaults", "--datadir=" + dataDir,
                "--auth-root-authentication-method=normal", "--skip-test-db"));
        if (root) cmd.add("--user=root");
        Path out = dir.resolve("install-db.log");
        try {
            Files.createDirectories(dir);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(installer + " did not finish within 120 s:\n" + Processes.tail(out, 30));
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(installer + " failed with " + p.exitValue() + ":\n" + Processes.tail(out, 30));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + installer + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Starts the server and waits until it answers a query. */
    synchronized void start() {
        if (process != null && process.isAlive()) return;
        List<String> cmd = new ArrayList<>(List.of(binary("mariadbd", "mysqld"), "--no-defaults",
                "--datadir=" + dataDir, "--port=" + port, "--bind-address=127.0.0.1", "--socket=" + socket,
                "--pid-file=" + dir.resolve("mariadbd.pid"), "--log-error=" + errorLog,
                "--innodb-buffer-pool-size=64M", "--max-connections=200"));
        if (options.stream().noneMatch(o -> o.startsWith("--log-bin"))) cmd.add("--skip-log-bin");
        cmd.addAll(options);
        if (root) cmd.add("--user=root");
        try {
            process = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("mariadbd.out").toFile())).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run mariadbd: " + e.getMessage(), e);
        }
        await("private mariadbd on port " + port).atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(200))
                .ignoreExceptionsMatching(e -> e instanceof SQLException).until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("mariadbd exited with " + process.exitValue() + ":\n"
                                + Processes.tail(errorLog, 30));
                    }
                    try (Connection c = connect(""); Statement st = c.createStatement()) {
                        return st.execute("SELECT 1");
                    }
                });
        LOG.info("event=chaos_mariadb_started port={} pid={} datadir={}", port, process.pid(), dataDir);
    }

    /** A clean shutdown (SIGTERM; SIGKILL after 30 s). */
    synchronized void stop() {
        if (process == null) return;
        Processes.stop(process, Duration.ofSeconds(30));
        process = null;
        LOG.info("event=chaos_mariadb_stopped port={}", port);
    }

    /** {@code kill -9}: no shutdown, nothing flushed; the data dir stays as the crash left it. */
    synchronized void kill9() {
        if (process == null) return;
        Processes.kill9(process);
        LOG.info("event=chaos_mariadb_killed port={} pid={} signal=KILL", port, process.pid());
        process = null;
    }

    synchronized boolean running() {
        return process != null && process.isAlive();
    }

    /** The first row of a query (column label → value), empty when it returns no row. */
    java.util.Map<String, String> queryRow(String query) {
        try (Connection c = connect(""); Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery(query)) {
            java.util.Map<String, String> row = new java.util.LinkedHashMap<>();
            if (rs.next()) {
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.put(rs.getMetaData().getColumnLabel(i), rs.getString(i));
                }
            }
            return row;
        } catch (SQLException e) {
            throw new IllegalStateException(query + " on the private MariaDB (port " + port + "): " + e.getMessage(),
                    e);
        }
    }

    void createDatabase(String name) {
        sql("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
    }

    void dropDatabase(String name) {
        sql("DROP DATABASE IF EXISTS " + name);
    }

    void sql(String statement) {
        try (Connection c = connect(""); Statement st = c.createStatement()) {
            st.execute(statement);
        } catch (SQLException e) {
            throw new IllegalStateException(statement + " on the private MariaDB (port " + port + "): " + e.getMessage(), e);
        }
    }

    private Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database) + "?connectTimeout=2000", "root", "");
    }

    @Override
    public void close() {
        stop();
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            LOG.warn("event=chaos_mariadb_socket_not_deleted path={}", socket, e);
        }
    }

    /** The first of these programs found in /usr/sbin, /usr/bin or on the PATH. */
    private static String binary(String... names) {
        List<Path> dirs = new ArrayList<>(List.of(Path.of("/usr/sbin"), Path.of("/usr/bin")));
        for (String p : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!p.isBlank()) dirs.add(Path.of(p));
        }
        for (String name : names) {
            for (Path d : dirs) {
                if (Files.isExecutable(d.resolve(name))) return d.resolve(name).toString();
            }
        }
        throw new IllegalStateException("none of " + String.join(", ", names) + " is installed; this test starts a"
                + " MariaDB of its own on a free port (the shared one is never stopped): apt-get install -y"
                + " mariadb-server");
    }

    /** Fails saying what to install when MariaDB's server programs are missing. */
    static void requireInstalled() {
        binary("mariadb-install-db", "mysql_install_db");
        binary("mariadbd", "mysqld");
    }

    @Override
    public String toString() {
        return "PrivateMariaDb[port=" + port + ", dir=" + dir + "]";
    }
}
