package io.bklog.server.chaos;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.awaitility.Awaitility.await;

/**
 * A MariaDB primary with a replica of its own, for the metadata failover tests: two {@link PrivateMariaDb} servers
 * on free ports under {@code target/mariadb-pair-*} (the machine's shared MariaDB on 3306 is never touched).
 *
 * <ul>
 *   <li>primary: {@code server-id=1}, binary log (ROW), semi-synchronous replication as master with
 *       {@code AFTER_SYNC}: a commit is acknowledged to bklog only once the replica has the change in its relay log,
 *       so a {@code kill -9} of the primary loses no acknowledged write (unless the replica was away for
 *       {@link #SEMI_SYNC_TIMEOUT_MS}, after which the primary falls back to asynchronous replication);</li>
 *   <li>replica: {@code server-id=2}, {@code read_only}, semi-sync slave, replicating with GTID
 *       ({@code MASTER_USE_GTID=slave_pos}), binary log on so it can serve as a primary once promoted.</li>
 * </ul>
 *
 * <p>One per JVM ({@link #shared()}), stopped at JVM exit. A test that fails the primary over leaves the pair
 * promoted ({@link #failedOver()}); the next {@link #shared()} then builds a new pair.
 */
final class MariaDbReplicaPair implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MariaDbReplicaPair.class);
    static final long SEMI_SYNC_TIMEOUT_MS = 10_000;
    /*
     * No fsync per commit (production keeps sync_binlog=1 and innodb_flush_log_at_trx_commit=1, docs/ha.md): the
     * tests kill the server process, not the machine, so what reached the OS survives, and the migrations and
     * writes wait for no disk on a busy 2-core machine.
     */
    private static final String FAST_DISK = "--sync-binlog=0";
    private static final String FAST_LOG = "--innodb-flush-log-at-trx-commit=2";
    private static MariaDbReplicaPair shared;

    private final PrivateMariaDb primary;
    private final PrivateMariaDb replica;
    private volatile boolean failedOver;

    private MariaDbReplicaPair(Path dir) {
        this.primary = new PrivateMariaDb(dir.resolve("primary"), List.of("--server-id=1",
                "--log-bin=" + dir.resolve("primary").resolve("data").resolve("mariadb-bin"), "--binlog-format=ROW",
                "--gtid-strict-mode=ON", "--rpl-semi-sync-master-enabled=ON",
                "--rpl-semi-sync-master-wait-point=AFTER_SYNC",
                "--rpl-semi-sync-master-timeout=" + SEMI_SYNC_TIMEOUT_MS, FAST_DISK, FAST_LOG));
        this.replica = new PrivateMariaDb(dir.resolve("replica"), List.of("--server-id=2",
                "--log-bin=" + dir.resolve("replica").resolve("data").resolve("mariadb-bin"), "--binlog-format=ROW",
                "--log-slave-updates", "--gtid-strict-mode=ON", "--read-only=ON",
                "--rpl-semi-sync-slave-enabled=ON", "--relay-log=relay-bin", FAST_DISK, FAST_LOG));
    }

    /** The JVM's pair, started (and replicating) on first use; a new one after a failover. */
    static synchronized MariaDbReplicaPair shared() {
        if (shared != null && !shared.failedOver) return shared;
        if (shared != null) shared.close();
        PrivateMariaDb.requireInstalled();
        Path dir;
        try {
            Path target = Path.of("target").toAbsolutePath();
            Files.createDirectories(target);
            dir = Files.createTempDirectory(target, "mariadb-pair-");
        } catch (IOException e) {
            throw new IllegalStateException("cannot make a work dir under target/: " + e, e);
        }
        MariaDbReplicaPair pair = new MariaDbReplicaPair(dir);
        if (shared == null) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                synchronized (MariaDbReplicaPair.class) {
                    if (shared != null) shared.close();
                }
            }, "mariadb-pair-stop"));
        }
        shared = pair;
        long t0 = System.nanoTime();
        try {
            pair.start();
        } catch (RuntimeException e) {
            pair.close();
            shared = null;
            throw e;
        }
        LOG.info("event=mariadb_pair_ready primary_port={} replica_port={} seconds={} dir={}", pair.primary.port(),
                pair.replica.port(), String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e9), dir);
        return pair;
    }

    private void start() {
        primary.install();
        copy(primary.dataDir(), replica.dataDir()); // the same system tables: quicker than a second install
        primary.start();
        replica.start();
        replica.sql("CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=" + primary.port()
                + ", MASTER_USER='root', MASTER_PASSWORD='', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1");
        replica.sql("START SLAVE");
        await("replica of port " + primary.port() + " replicating with semi-sync").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200)).until(() -> {
                    Map<String, String> s = replica.queryRow("SHOW SLAVE STATUS");
                    if (!s.isEmpty() && !s.getOrDefault("Last_IO_Error", "").isBlank()
                            && !"Connecting".equals(s.get("Slave_IO_Running"))) {
                        throw new IllegalStateException("replication does not start: " + s.get("Last_IO_Error"));
                    }
                    return "Yes".equals(s.get("Slave_IO_Running")) && "Yes".equals(s.get("Slave_SQL_Running"))
                            && "ON".equals(primary.queryRow("SHOW GLOBAL STATUS WHERE Variable_name ="
                            + " 'Rpl_semi_sync_master_status'").get("Value"));
                });
    }

    private static void copy(Path from, Path to) {
        try (var files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path dest = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(dest);
                else Files.copy(p, dest);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot copy " + from + " to " + to + ": " + e, e);
        }
    }

    /** JDBC URL of {@code database} on the primary. */
    String primaryUrl(String database) {
        return primary.jdbcUrl(database);
    }

    /** JDBC URL of {@code database} on the replica. */
    String replicaUrl(String database) {
        return replica.jdbcUrl(database);
    }

    int primaryPort() {
        return primary.port();
    }

    int replicaPort() {
        return replica.port();
    }

    boolean failedOver() {
        return failedOver;
    }

    /** Creates a database on the primary and waits until the replica has it too. */
    void createDatabase(String name) {
        primary.createDatabase(name);
        await("database " + name + " on the replica").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> !replica.queryRow("SHOW DATABASES LIKE '" + name + "'").isEmpty());
    }

    /** {@code kill -9} of the primary. */
    void killPrimary() {
        failedOver = true;
        primary.kill9();
    }

    /**
     * The promotion of docs/ha.md, on the replica: wait until the SQL thread has applied every event the I/O thread
     * received ({@code MASTER_GTID_WAIT} on {@code Gtid_IO_Pos}), then {@code STOP SLAVE; RESET SLAVE ALL; SET GLOBAL
     * read_only = OFF}. Answers the GTID position the replica took over at.
     */
    String promoteReplica() {
        failedOver = true;
        String received = replica.queryRow("SHOW SLAVE STATUS").getOrDefault("Gtid_IO_Pos", "");
        if (!received.isBlank()) {
            String waited = replica.queryRow("SELECT MASTER_GTID_WAIT('" + received + "', 30) AS w").get("w");
            if (!"0".equals(waited)) {
                throw new IllegalStateException("the replica did not apply its relay log up to " + received
                        + " within 30 s (MASTER_GTID_WAIT answered " + waited + ")");
            }
        }
        replica.sql("STOP SLAVE");
        replica.sql("RESET SLAVE ALL");
        replica.sql("SET GLOBAL read_only = OFF");
        String at = replica.queryRow("SELECT @@gtid_current_pos AS p").get("p");
        LOG.info("event=mariadb_replica_promoted port={} received_gtid={} gtid_current_pos={}", replica.port(),
                received, at);
        return at;
    }

    @Override
    public void close() {
        try {
            replica.close();
        } finally {
            primary.close();
        }
    }

    @Override
    public String toString() {
        return "MariaDbReplicaPair[primary=" + primary.port() + ", replica=" + replica.port() + ", failedOver="
                + failedOver + "]";
    }

    /** A database name no other run uses. */
    static String uniqueDatabase(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }
}
