package io.bklog.core.meta;

import io.bklog.spi.HealthIndicator;
import io.bklog.spi.HealthzMetric;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

/**
 * Health of the metadata database, in bklog's {@code mysql} namespace (also for the embedded H2): {@code ping}
 * (ms), {@code schema_version} (fails when the database is behind or ahead of this code), the server
 * {@code version}, the pool's {@code pool_active}/{@code pool_idle}, and on MariaDB/MySQL bklog's
 * {@code max_connections}, {@code Threads_connected}, {@code Slow_queries} and {@code Questions}.
 *
 * <p>On MariaDB/MySQL a new connection to the primary is opened first (at most {@link #PROBE_TIMEOUT}), so a stopped
 * or killed server is named at once instead of after the pool's connection timeout. When a replica is configured
 * ({@link MetadataConfig#replicaJdbcUrl()}) the metrics name the primary ({@code primary} dimension), a lost primary's
 * suggestion names the replica and the promotion (docs/ha.md), and the replica is checked on a connection of its
 * own: {@code replica_io_running}, {@code replica_sql_running}, {@code replica_lag_seconds} (fails above
 * {@link #MAX_REPLICA_LAG_SECONDS}), {@code replica_read_only} (fails when the replica accepts writes), and the
 * primary's {@code replication_mode} ({@code semi-sync} or {@code async}; informational).
 */
public final class MetadataHealthIndicator implements HealthIndicator {
    public static final String NAMESPACE = "mysql";
    /** Longest wait for the probe connection to the primary, and for the replica's. */
    static final Duration PROBE_TIMEOUT = Duration.ofMillis(800);
    /** A replica further behind than this fails {@code replica_lag_seconds}. */
    public static final long MAX_REPLICA_LAG_SECONDS = 60;

    private final MetadataStore store;

    public MetadataHealthIndicator(MetadataStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    @Override
    public String namespace() {
        return NAMESPACE;
    }

    @Override
    public List<HealthzMetric> check() {
        MetadataConfig config = store.config();
        Optional<String> primary = config.isH2() ? Optional.empty() : hostPort(config.jdbcUrl());
        Map<String, String> dims = config.hasReplica() && primary.isPresent()
                ? Map.of("database", "mysql", "primary", primary.get())
                : Map.of("database", config.isH2() ? "h2" : "mysql");
        List<HealthzMetric> metrics = new ArrayList<>();
        Optional<String> refused = primary.isPresent() ? probe(config) : Optional.empty();
        if (refused.isPresent()) {
            String what = config.hasReplica() ? "metadata primary " : "metadata database ";
            metrics.add(new HealthzMetric(false, "ping", -1, dims, what + primary.get() + " ("
                    + withoutQuery(config.jdbcUrl()) + ") is unreachable: " + refused.get(),
                    primaryDownSuggestion(config, primary.get())));
            if (config.hasReplica()) replica(config, metrics);
            return metrics;
        }
        Duration latency;
        try {
            latency = store.ping();
        } catch (MetadataException e) {
            metrics.add(new HealthzMetric(false, "ping", -1, dims, e.getMessage(), config.isH2()
                    ? "check the data dir is writable and no other process holds the H2 file"
                    : primary.isPresent() && config.hasReplica() ? primaryDownSuggestion(config, primary.get())
                    : "check the MariaDB/MySQL server is running and reachable with the configured user"));
            if (config.hasReplica()) replica(config, metrics);
            return metrics;
        }
        metrics.add(new HealthzMetric(true, "ping", latency.toNanos() / 1_000_000.0, dims, "", ""));
        metrics.add(schemaVersion(dims));
        try (Connection c = store.dataSource().getConnection()) {
            var md = c.getMetaData();
            metrics.add(new HealthzMetric(true, "version", md.getDatabaseProductName() + " "
                    + md.getDatabaseProductVersion(), dims, "", ""));
            if (!store.config().isH2()) serverStatus(c, dims, metrics);
            if (config.hasReplica()) metrics.add(replicationMode(c, dims));
        } catch (SQLException e) {
            metrics.add(new HealthzMetric(false, "version", "", dims, "cannot read the server version: "
                    + Db.firstLine(e.getMessage()), "check the database user's privileges"));
        }
        if (store.dataSource() instanceof com.zaxxer.hikari.HikariDataSource h && h.getHikariPoolMXBean() != null) {
            metrics.add(new HealthzMetric(true, "pool_active", h.getHikariPoolMXBean().getActiveConnections(), dims,
                    "", ""));
            metrics.add(new HealthzMetric(true, "pool_idle", h.getHikariPoolMXBean().getIdleConnections(), dims,
                    "", ""));
        }
        if (config.hasReplica()) replica(config, metrics);
        return metrics;
    }

    private static String primaryDownSuggestion(MetadataConfig config, String primary) {
        if (!config.hasReplica()) {
            return "check the MariaDB/MySQL server at " + primary + " is running and reachable from this host";
        }
        String replica = hostPort(config.replicaJdbcUrl()).orElse(withoutQuery(config.replicaJdbcUrl()));
        return "start the primary " + primary + " again; if it is lost, promote the replica " + replica
                + " (docs/ha.md, MariaDB: wait until it has applied its relay log, then STOP SLAVE; RESET SLAVE ALL;"
                + " SET GLOBAL read_only = OFF on it), set metadata.url to " + withoutQuery(config.replicaJdbcUrl())
                + ", remove metadata.replica_url and restart bklog";
    }

    /**
     * A JDBC URL without its {@code ?options} (they may hold credentials, and {@code /healthz} needs no token), with
     * {@code ...} in their place; host, port and database stay, so the operator sees which server is meant.
     */
    static String withoutQuery(String jdbcUrl) {
        int q = jdbcUrl.indexOf('?');
        return q < 0 ? jdbcUrl : jdbcUrl.substring(0, q) + "?...";
    }

    /**
     * Why a new connection to the primary fails within {@link #PROBE_TIMEOUT}; empty when it opens. A whole JDBC
     * connection (handshake and login), not a bare TCP connect: the server counts a connection closed before its
     * handshake as a connection error and blocks the client's host after {@code max_connect_errors} of them (the
     * known trouble with TCP health checks of load balancers).
     */
    private static Optional<String> probe(MetadataConfig config) {
        try (Connection c = DriverManager.getConnection(config.jdbcUrl(), probeProperties(config))) {
            return Optional.empty();
        } catch (SQLException e) {
            return Optional.of(Db.firstLine(e.getMessage()));
        }
    }

    private static Properties probeProperties(MetadataConfig config) {
        Properties props = new Properties();
        props.setProperty("user", config.user());
        props.setProperty("password", config.password());
        props.setProperty("connectTimeout", String.valueOf(PROBE_TIMEOUT.toMillis()));
        props.setProperty("socketTimeout", String.valueOf(PROBE_TIMEOUT.toMillis() + 200));
        return props;
    }

    /**
     * {@code host:port} of a single-host MariaDB/MySQL URL ({@code jdbc:mariadb://h:3306/db?..}; port 3306 when
     * absent); empty for H2 and for multi-host or failover URLs, which are not probed.
     */
    static Optional<String> hostPort(String jdbcUrl) {
        String rest;
        if (jdbcUrl.startsWith("jdbc:mariadb://")) rest = jdbcUrl.substring("jdbc:mariadb://".length());
        else if (jdbcUrl.startsWith("jdbc:mysql://")) rest = jdbcUrl.substring("jdbc:mysql://".length());
        else return Optional.empty();
        int end = rest.length();
        for (char c : new char[] {'/', '?', ';'}) {
            int i = rest.indexOf(c);
            if (i >= 0) end = Math.min(end, i);
        }
        String authority = rest.substring(0, end);
        if (authority.isEmpty() || authority.contains(",") || authority.contains("(") || authority.contains("@")) {
            return Optional.empty();
        }
        int bracket = authority.lastIndexOf(']');
        int colon = authority.lastIndexOf(':');
        if (colon > bracket && colon >= 0) {
            String port = authority.substring(colon + 1);
            return port.matches("[0-9]{1,5}") ? Optional.of(authority) : Optional.empty();
        }
        return Optional.of(authority + ":3306");
    }

    /** The replica's replication, on a connection of its own (never from the pool: bklog does not use it). */
    private static void replica(MetadataConfig config, List<HealthzMetric> out) {
        String name = hostPort(config.replicaJdbcUrl()).orElse(withoutQuery(config.replicaJdbcUrl()));
        Map<String, String> dims = Map.of("database", "mysql", "replica", name);
        try (Connection c = DriverManager.getConnection(config.replicaJdbcUrl(), probeProperties(config));
             Statement st = c.createStatement()) {
            Map<String, String> status = new HashMap<>();
            try (ResultSet rs = st.executeQuery("SHOW SLAVE STATUS")) {
                if (rs.next()) {
                    var md = rs.getMetaData();
                    for (int i = 1; i <= md.getColumnCount(); i++) status.put(md.getColumnLabel(i), rs.getString(i));
                }
            }
            if (status.isEmpty()) {
                out.add(new HealthzMetric(false, "replica_io_running", "", dims, "the metadata replica " + name
                        + " replicates from no primary (SHOW SLAVE STATUS is empty)", "set up replication from the"
                        + " primary (docs/ha.md, MariaDB); if this replica was promoted, set metadata.url to "
                        + withoutQuery(config.replicaJdbcUrl()) + " and remove metadata.replica_url"));
            } else {
                String source = status.getOrDefault("Master_Host", "?") + ":" + status.getOrDefault("Master_Port", "?");
                out.add(thread(status, "Slave_IO_Running", "Last_IO_Error", "replica_io_running", name, source,
                        dims, "check the primary " + source + " is up and reachable from the replica, then"
                                + " START SLAVE on the replica; if the primary is lost, promote the replica"
                                + " (docs/ha.md, MariaDB)"));
                out.add(thread(status, "Slave_SQL_Running", "Last_SQL_Error", "replica_sql_running", name, source,
                        dims, "read the error in SHOW SLAVE STATUS on the replica; a replica that cannot apply the"
                                + " primary's changes must be rebuilt from a backup of the primary (docs/ha.md)"));
                out.add(lag(status.get("Seconds_Behind_Master"), name, dims));
            }
            try (ResultSet rs = st.executeQuery("SELECT @@read_only")) {
                boolean readOnly = rs.next() && rs.getBoolean(1);
                out.add(new HealthzMetric(readOnly, "replica_read_only", readOnly ? "ON" : "OFF", dims, readOnly ? ""
                        : "the metadata replica " + name + " accepts writes (read_only=OFF); a write there"
                        + " makes it differ from the primary", readOnly ? ""
                        : "SET GLOBAL read_only = ON on the replica (and read_only=ON in its my.cnf)"));
            }
        } catch (SQLException e) {
            out.add(new HealthzMetric(false, "replica_io_running", "", dims, "the metadata replica " + name
                    + " is unreachable: " + Db.firstLine(e.getMessage()), "start the replica " + name
                    + "; bklog keeps working on the primary, but has no standby to promote while it is down"));
        }
    }

    private static HealthzMetric thread(Map<String, String> status, String column, String errorColumn, String metric,
                                        String replica, String source, Map<String, String> dims, String suggestion) {
        String state = status.getOrDefault(column, "");
        if ("Yes".equalsIgnoreCase(state)) return new HealthzMetric(true, metric, state, dims, "", "");
        String error = status.getOrDefault(errorColumn, "");
        return new HealthzMetric(false, metric, state, dims, "replication " + metric.substring("replica_".length(),
                metric.length() - "_running".length()).toUpperCase(Locale.ROOT) + " thread of the metadata replica "
                + replica + " (from " + source + ") is " + state + (error == null || error.isBlank() ? ""
                : ": " + Db.firstLine(error)), suggestion);
    }

    private static HealthzMetric lag(String seconds, String replica, Map<String, String> dims) {
        if (seconds == null) return new HealthzMetric(true, "replica_lag_seconds", null, dims, "", "");
        long lag;
        try {
            lag = Long.parseLong(seconds.trim());
        } catch (NumberFormatException e) {
            return new HealthzMetric(true, "replica_lag_seconds", seconds, dims, "", "");
        }
        if (lag > MAX_REPLICA_LAG_SECONDS) {
            return new HealthzMetric(false, "replica_lag_seconds", lag, dims, "the metadata replica " + replica
                    + " is " + lag + " s behind the primary (limit " + MAX_REPLICA_LAG_SECONDS + " s)",
                    "look for long transactions on the primary and load on the replica; a promotion now would"
                            + " have to wait for the replica to catch up");
        }
        return new HealthzMetric(true, "replica_lag_seconds", lag, dims, "", "");
    }

    /** The primary's replication: {@code semi-sync} (acknowledged = on the replica) or {@code async}. */
    private static HealthzMetric replicationMode(Connection c, Map<String, String> dims) throws SQLException {
        String mode = "async";
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SHOW GLOBAL STATUS WHERE Variable_name = 'Rpl_semi_sync_master_status'")) {
            if (rs.next() && "ON".equalsIgnoreCase(rs.getString(2))) mode = "semi-sync";
        }
        return new HealthzMetric(true, "replication_mode", mode, dims, "", "");
    }

    private HealthzMetric schemaVersion(Map<String, String> dims) {
        String expected = store.expectedSchemaVersion();
        Optional<String> current = store.schemaVersion();
        if (current.isEmpty()) {
            return new HealthzMetric(false, "schema_version", "none", dims,
                    "the metadata database has no schema; this bklog expects version " + expected,
                    "run `bklog migrate` (or MetadataStore.migrate())");
        }
        if (!current.get().equals(expected)) {
            return new HealthzMetric(false, "schema_version", current.get(), dims,
                    "the metadata schema is at version " + current.get() + " but this bklog expects " + expected,
                    "run `bklog migrate` when the database is older, or upgrade bklog when it is newer");
        }
        return new HealthzMetric(true, "schema_version", current.get(), dims, "", "");
    }

    private static void serverStatus(Connection c, Map<String, String> dims, List<HealthzMetric> out)
            throws SQLException {
        try (Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SHOW GLOBAL VARIABLES WHERE Variable_name IN ('max_connections')")) {
                while (rs.next()) out.add(number(rs.getString(1).toLowerCase(Locale.ROOT), rs.getString(2), dims));
            }
            try (ResultSet rs = st.executeQuery(
                    "SHOW GLOBAL STATUS WHERE Variable_name IN ('Threads_connected', 'Slow_queries', 'Questions')")) {
                while (rs.next()) out.add(number(rs.getString(1), rs.getString(2), dims));
            }
        }
    }

    private static HealthzMetric number(String name, String value, Map<String, String> dims) {
        Object v;
        try {
            v = Long.parseLong(value);
        } catch (NumberFormatException e) {
            v = value;
        }
        return new HealthzMetric(true, name, v, dims, "", "");
    }
}
