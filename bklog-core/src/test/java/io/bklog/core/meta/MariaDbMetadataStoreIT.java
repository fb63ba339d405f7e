package io.bklog.core.meta;

import org.junit.jupiter.api.AfterAll;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import static org.assertj.core.api.Assertions.fail;

/**
 * The metadata contract on MariaDB at 127.0.0.1:3306 (root, empty password). Each test gets its own database
 * {@code bklog_it_<random>}, dropped afterwards, so parallel runs do not collide.
 */
class MariaDbMetadataStoreIT extends MetadataStoreContract {
    /** Server URL without database; {@code -Dbklog.it.mariadb=jdbc:mariadb://host:port/} to use another one. */
    static final String SERVER = System.getProperty("bklog.it.mariadb", "jdbc:mariadb://127.0.0.1:3306/");
    private static String shared;
    private final java.util.List<String> databases = new java.util.ArrayList<>();

    @Override
    protected MetadataConfig freshDatabase() {
        String database = newDatabase();
        databases.add(database);
        return configFor(database);
    }

    @Override
    protected MetadataConfig sharedDatabase() {
        if (shared == null) shared = newDatabase();
        return configFor(shared);
    }

    @AfterAll
    static void dropShared() {
        if (shared != null) execute("DROP DATABASE IF EXISTS " + shared);
        shared = null;
    }

    private static String newDatabase() {
        String database = "bklog_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        execute("CREATE DATABASE " + database + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
        return database;
    }

    private static MetadataConfig configFor(String database) {
        return MetadataConfig.builder().jdbcUrl(SERVER + database).user("root").password("").maxPoolSize(8)
                .build();
    }

    @Override
    protected void dropDatabase() {
        databases.forEach(d -> execute("DROP DATABASE IF EXISTS " + d));
        databases.clear();
    }

    static void execute(String sql) {
        try (Connection c = DriverManager.getConnection(SERVER + "test", "root", "");
             Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            fail("MariaDB at " + SERVER + " (root, empty password) is unreachable or refused '" + sql + "': "
                    + e.getMessage() + ". Start it with: "
                    + "start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd", e);
        }
    }
}
