package io.bklog.core.meta;

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
    static final String SERVER = "jdbc:mariadb://127.0.0.1:3306/";
    private final java.util.List<String> databases = new java.util.ArrayList<>();

    @Override
    protected MetadataConfig freshDatabase() {
        String database = "bklog_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        databases.add(database);
        execute("CREATE DATABASE " + database + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
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
            fail("MariaDB at 127.0.0.1:3306 (root, empty password) is unreachable or refused '" + sql + "': "
                    + e.getMessage() + ". Start it with: "
                    + "start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd", e);
        }
    }
}
