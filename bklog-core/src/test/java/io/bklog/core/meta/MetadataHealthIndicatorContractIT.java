package io.bklog.core.meta;

import io.bklog.spi.HealthIndicator;
import io.bklog.testkit.HealthIndicatorContract;
import org.junit.jupiter.api.AfterEach;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The {@code mysql} health indicator on MariaDB at 127.0.0.1:3306: healthy on a migrated database; failing on a
 * database whose schema was never migrated (the indicator must say so and suggest {@code bklog migrate}).
 */
class MetadataHealthIndicatorContractIT extends HealthIndicatorContract {
    private final List<MetadataStore> stores = new ArrayList<>();
    private final List<String> databases = new ArrayList<>();

    @AfterEach
    void dropDatabases() {
        stores.forEach(MetadataStore::close);
        databases.forEach(d -> MariaDbMetadataStoreIT.execute("DROP DATABASE IF EXISTS " + d));
    }

    private MetadataStore open(boolean migrated) {
        String database = "bklog_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        MariaDbMetadataStoreIT.execute("CREATE DATABASE " + database + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
        databases.add(database);
        MetadataStore store = MetadataStore.open(MetadataConfig.builder()
                .jdbcUrl(MariaDbMetadataStoreIT.SERVER + database).user("root").password("").maxPoolSize(2).build(),
                Clock.systemUTC());
        stores.add(store);
        if (migrated) store.migrate();
        return store;
    }

    @Override
    protected String expectedNamespace() {
        return "mysql";
    }

    @Override
    protected HealthIndicator healthyIndicator() {
        return new MetadataHealthIndicator(open(true));
    }

    @Override
    protected HealthIndicator failingIndicator() {
        return new MetadataHealthIndicator(open(false));
    }
}
