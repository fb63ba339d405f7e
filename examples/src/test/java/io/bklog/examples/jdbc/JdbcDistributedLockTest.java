package io.bklog.examples.jdbc;

import io.bklog.spi.DistributedLock;
import io.bklog.testkit.DistributedLockContract;
import org.h2.jdbcx.JdbcDataSource;

/** The whole DistributedLock TCK on the JDBC lock: extend the contract, say how to build the lock. */
class JdbcDistributedLockTest extends DistributedLockContract {

    @Override
    protected DistributedLock createLock() {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:locks;DB_CLOSE_DELAY=-1");
        return new JdbcDistributedLock(h2);
    }
}
