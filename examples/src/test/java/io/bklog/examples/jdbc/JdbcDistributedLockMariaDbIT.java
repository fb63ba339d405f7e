package io.bklog.examples.jdbc;

import io.bklog.spi.DistributedLock;
import io.bklog.testkit.DistributedLockContract;
import org.mariadb.jdbc.MariaDbDataSource;

import java.sql.SQLException;

/**
 * The same TCK on a real MariaDB server ({@code -Dexample.jdbc.url}, default
 * {@code jdbc:mariadb://127.0.0.1:3306/test?user=root}): the JDBC lock is not tied to H2.
 */
class JdbcDistributedLockMariaDbIT extends DistributedLockContract {
    private static final String URL = System.getProperty("example.jdbc.url",
            "jdbc:mariadb://127.0.0.1:3306/test?user=root");

    @Override
    protected DistributedLock createLock() {
        try {
            return new JdbcDistributedLock(new MariaDbDataSource(URL));
        } catch (SQLException | RuntimeException e) {
            throw new IllegalStateException("MariaDB is unreachable at " + URL + " (" + e.getMessage() + "); start it"
                    + " (`service mariadb start`) or point -Dexample.jdbc.url at a running server", e);
        }
    }
}
