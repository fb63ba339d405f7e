package io.bklog.examples.jdbc;

import io.bklog.spi.BackendException;
import io.bklog.spi.DistributedLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link DistributedLock} on plain JDBC: an example of a third-party backend that passes the bklog TCK.
 *
 * <p>One table, {@value #TABLE} ({@code name} primary key, {@code owner}, {@code fencing_token},
 * {@code expires_at} in epoch millis of the injected {@link Clock}). The row whose name is the empty string is the
 * fencing counter: a grant locks it ({@code SELECT ... FOR UPDATE}), so grants are serialized, and bumps it in the
 * same transaction as it writes the lock row — every grant of every name gets a larger token than any before.
 * Renew, release and isHeld are single conditional statements on the lock row. Lock names may not be blank, so
 * the counter row never collides with a lock.
 *
 * <p>Expiry compares with this process's clock: instances sharing the database need synchronized clocks (NTP).
 * Tested on H2; the SQL is standard and also fits MariaDB/MySQL and PostgreSQL.
 */
public final class JdbcDistributedLock implements DistributedLock {
    public static final String TABLE = "bklog_example_locks";
    private static final String COUNTER = "";
    private static final Logger log = LoggerFactory.getLogger(JdbcDistributedLock.class);

    private final DataSource dataSource;
    private final Clock clock;
    private final AutoCloseable owned;

    /**
     * @param dataSource where the table lives (created when missing)
     * @param clock      the time leases are measured with
     * @param owned      closed by {@link #close()} (the pool the provider opened), or null
     */
    public JdbcDistributedLock(DataSource dataSource, Clock clock, AutoCloseable owned) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.owned = owned;
        createSchema();
    }

    public JdbcDistributedLock(DataSource dataSource) {
        this(dataSource, Clock.systemUTC(), null);
    }

    @Override
    public String backendName() {
        return JdbcBackendProvider.NAME;
    }

    private void createSchema() {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (name VARCHAR(255) NOT NULL PRIMARY KEY,"
                    + " owner VARCHAR(255), fencing_token BIGINT NOT NULL, expires_at BIGINT NOT NULL)");
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO " + TABLE + " (name, owner, fencing_token, expires_at) VALUES (?, NULL, 0, 0)")) {
                ps.setString(1, COUNTER);
                ps.executeUpdate();
            } catch (SQLException duplicate) {
                if (!isDuplicateKey(duplicate)) throw duplicate;
            }
        } catch (SQLException e) {
            throw new BackendException("creating table " + TABLE + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<LockLease> tryAcquire(String name, String owner, Duration ttl) {
        validate(name, owner);
        if (ttl == null || ttl.isZero() || ttl.isNegative()) {
            throw new IllegalArgumentException("ttl must be positive, was " + ttl);
        }
        long now = clock.millis();
        long expiresAt = now + ttl.toMillis();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                long token = lockCounter(c) + 1;
                Optional<LockLease> lease = grant(c, name, owner, token, now, expiresAt);
                if (lease.isEmpty()) {
                    c.rollback();
                    return Optional.empty();
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE " + TABLE + " SET fencing_token = ? WHERE name = ?")) {
                    ps.setLong(1, token);
                    ps.setString(2, COUNTER);
                    ps.executeUpdate();
                }
                c.commit();
                log.debug("lock granted name={} owner={} fencingToken={} ttlMs={}", name, owner, token, ttl.toMillis());
                return lease;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new BackendException("acquiring lock '" + name + "' failed: " + e.getMessage(), e);
        }
    }

    /** Locks the counter row for this transaction and returns the last token handed out. */
    private static long lockCounter(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT fencing_token FROM " + TABLE + " WHERE name = ? FOR UPDATE")) {
            ps.setString(1, COUNTER);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) throw new SQLException("the fencing counter row of " + TABLE + " is missing");
                return rs.getLong(1);
            }
        }
    }

    /** Takes over an expired or released row, or inserts a new one; empty when the lock is held. */
    private static Optional<LockLease> grant(Connection c, String name, String owner, long token, long now,
                                             long expiresAt) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + TABLE
                + " SET owner = ?, fencing_token = ?, expires_at = ? WHERE name = ? AND expires_at <= ?")) {
            ps.setString(1, owner);
            ps.setLong(2, token);
            ps.setLong(3, expiresAt);
            ps.setString(4, name);
            ps.setLong(5, now);
            if (ps.executeUpdate() == 1) return Optional.of(new LockLease(name, owner, token));
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM " + TABLE + " WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) return Optional.empty();
            }
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO " + TABLE + " (name, owner, fencing_token, expires_at) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, name);
            ps.setString(2, owner);
            ps.setLong(3, token);
            ps.setLong(4, expiresAt);
            ps.executeUpdate();
            return Optional.of(new LockLease(name, owner, token));
        }
    }

    @Override
    public boolean renew(LockLease lease, Duration ttl) {
        Objects.requireNonNull(lease, "lease");
        if (ttl == null || ttl.isZero() || ttl.isNegative()) {
            throw new IllegalArgumentException("ttl must be positive, was " + ttl);
        }
        long now = clock.millis();
        return update("renewing", lease, "UPDATE " + TABLE + " SET expires_at = ?"
                + " WHERE name = ? AND owner = ? AND fencing_token = ? AND expires_at > ?", now + ttl.toMillis(), now);
    }

    @Override
    public void release(LockLease lease) {
        Objects.requireNonNull(lease, "lease");
        // the row stays (expired) so that a later grant of the name is an UPDATE of it
        update("releasing", lease, "UPDATE " + TABLE + " SET owner = NULL, expires_at = 0"
                + " WHERE name = ? AND owner = ? AND fencing_token = ? AND expires_at > ?", null, clock.millis());
    }

    @Override
    public boolean isHeld(LockLease lease) {
        Objects.requireNonNull(lease, "lease");
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT 1 FROM "
                + TABLE + " WHERE name = ? AND owner = ? AND fencing_token = ? AND expires_at > ?")) {
            ps.setString(1, lease.name());
            ps.setString(2, lease.owner());
            ps.setLong(3, lease.fencingToken());
            ps.setLong(4, clock.millis());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw new BackendException("checking lock '" + lease.name() + "' failed: " + e.getMessage(), e);
        }
    }

    private boolean update(String what, LockLease lease, String sql, Long expiresAt, long now) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            if (expiresAt != null) ps.setLong(i++, expiresAt);
            ps.setString(i++, lease.name());
            ps.setString(i++, lease.owner());
            ps.setLong(i++, lease.fencingToken());
            ps.setLong(i, now);
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new BackendException(what + " lock '" + lease.name() + "' failed: " + e.getMessage(), e);
        }
    }

    private static void validate(String name, String owner) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("lock name must not be blank");
        if (name.length() > 255) throw new IllegalArgumentException("lock name is longer than 255 characters");
        if (owner == null || owner.isBlank()) throw new IllegalArgumentException("lock owner must not be blank");
        if (owner.length() > 255) throw new IllegalArgumentException("lock owner is longer than 255 characters");
    }

    private static boolean isDuplicateKey(SQLException e) {
        return e instanceof SQLIntegrityConstraintViolationException || "23505".equals(e.getSQLState())
                || (e.getSQLState() != null && e.getSQLState().startsWith("23"));
    }

    @Override
    public void close() {
        if (owned == null) return;
        try {
            owned.close();
        } catch (Exception e) {
            log.warn("closing the lock's data source failed error={}", e.toString());
        }
    }
}
