package io.bklog.core.meta;

import io.bklog.spi.HealthIndicator;
import io.bklog.spi.HealthzMetric;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Health of the metadata database, in bklog's {@code mysql} namespace (also for the embedded H2): {@code ping}
 * (ms), {@code schema_version} (fails when the database is behind or ahead of this code), the server
 * {@code version}, the pool's {@code pool_active}/{@code pool_idle}, and on MariaDB/MySQL bklog's
 * {@code max_connections}, {@code Threads_connected}, {@code Slow_queries} and {@code Questions}.
 */
public final class MetadataHealthIndicator implements HealthIndicator {
    public static final String NAMESPACE = "mysql";

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
        Map<String, String> dims = Map.of("database", store.config().isH2() ? "h2" : "mysql");
        List<HealthzMetric> metrics = new ArrayList<>();
        Duration latency;
        try {
            latency = store.ping();
        } catch (MetadataException e) {
            metrics.add(new HealthzMetric(false, "ping", -1, dims, e.getMessage(), store.config().isH2()
                    ? "check the data dir is writable and no other process holds the H2 file"
                    : "check the MariaDB/MySQL server is running and reachable with the configured user"));
            return metrics;
        }
        metrics.add(new HealthzMetric(true, "ping", latency.toNanos() / 1_000_000.0, dims, "", ""));
        metrics.add(schemaVersion(dims));
        try (Connection c = store.dataSource().getConnection()) {
            var md = c.getMetaData();
            metrics.add(new HealthzMetric(true, "version", md.getDatabaseProductName() + " "
                    + md.getDatabaseProductVersion(), dims, "", ""));
            if (!store.config().isH2()) serverStatus(c, dims, metrics);
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
        return metrics;
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
