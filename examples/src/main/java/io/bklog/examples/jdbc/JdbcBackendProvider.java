package io.bklog.examples.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.bklog.spi.Backend;
import io.bklog.spi.BackendConfig;
import io.bklog.spi.BackendProvider;
import io.bklog.spi.DistributedLock;

import java.time.Clock;
import java.util.Optional;

/**
 * The {@code example-jdbc} backend: a {@link JdbcDistributedLock} on any JDBC database, found through
 * {@link java.util.ServiceLoader} ({@code META-INF/services/io.bklog.spi.BackendProvider}).
 *
 * <p>Settings: {@code url} (required, a JDBC URL), {@code user} and {@code password} (default empty),
 * {@code pool.size} (default 4).
 */
public final class JdbcBackendProvider implements BackendProvider {
    public static final String NAME = "example-jdbc";
    /** Every setting this backend reads; any other is refused naming it. */
    static final java.util.Set<String> SETTINGS = java.util.Set.of("url", "user", "password", "pool.size");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Backend create(BackendConfig config) {
        config.refuseUnknownKeys(NAME, SETTINGS);
        String url = config.require("url");
        if (!url.startsWith("jdbc:")) {
            throw new IllegalArgumentException("setting 'url' must be a JDBC URL (jdbc:...), was '" + url + "'");
        }
        int poolSize = config.getInt("pool.size", 4);
        if (poolSize < 1) throw new IllegalArgumentException("setting 'pool.size' must be >= 1, was " + poolSize);
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(url);
        hc.setUsername(config.get("user", ""));
        hc.setPassword(config.get("password", ""));
        hc.setMaximumPoolSize(poolSize);
        hc.setPoolName("bklog-example-jdbc");
        HikariDataSource ds = new HikariDataSource(hc);
        JdbcDistributedLock lock;
        try {
            lock = new JdbcDistributedLock(ds, Clock.systemUTC(), ds);
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
        return new Backend() {
            @Override
            public String name() {
                return NAME;
            }

            @Override
            public Optional<DistributedLock> distributedLock() {
                return Optional.of(lock);
            }

            @Override
            public void close() {
                lock.close();
            }
        };
    }
}
