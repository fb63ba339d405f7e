package io.bklog.s3;

import io.bklog.core.meta.MetadataConfig;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.UUID;

import static org.assertj.core.api.Assertions.fail;

/**
 * A database of its own on the real MariaDB the ITs talk to (root@127.0.0.1:3306, {@code -Dbklog.it.mariadb}),
 * for several platforms of one test to share as their metadata; dropped by {@link #close()}.
 */
final class MariaDbDatabase implements AutoCloseable {
    static final String MARIADB = System.getProperty("bklog.it.mariadb", "jdbc:mariadb://127.0.0.1:3306/");
    final String name = "bklog_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    MariaDbDatabase() {
        execute("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
    }

    MetadataConfig config() {
        return MetadataConfig.builder().jdbcUrl(MARIADB + name).user("root").password("").maxPoolSize(4).build();
    }

    @Override
    public void close() {
        execute("DROP DATABASE IF EXISTS " + name);
    }

    private static void execute(String sql) {
        try (Connection c = DriverManager.getConnection(MARIADB + "test", "root", "")) {
            c.createStatement().execute(sql);
        } catch (SQLException e) {
            fail("MariaDB is not reachable at " + MARIADB + " as root (" + e.getMessage() + "); start it with "
                    + "`service mariadb start`");
        }
    }
}
