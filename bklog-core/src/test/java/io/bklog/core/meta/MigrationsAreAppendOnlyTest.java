package io.bklog.core.meta;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Released migrations are never edited: a database migrated by an older bklog must validate against the new
 * code. Add a new {@code V<n>__...sql} instead, and its checksum here. V1 is the fixture the upgrade test starts
 * from ({@link MetadataStore#migrateTo(String)} with "1").
 */
class MigrationsAreAppendOnlyTest {
    /** Flyway checksums of the released migrations. */
    static final Map<String, Integer> RELEASED = Map.of(
            "1", -1219997709,
            "2", 689736405,
            "3", -1008529554);

    @TempDir
    Path dataDir;

    @Test
    void releasedMigrationsKeepTheirChecksums() {
        MetadataConfig config = MetadataConfig.embedded(dataDir);
        Flyway flyway = Flyway.configure(MetadataStore.class.getClassLoader())
                .dataSource(config.jdbcUrl(), config.user(), config.password())
                .locations(MetadataStore.MIGRATIONS).table(MetadataStore.HISTORY_TABLE).load();
        Map<String, Integer> actual = new LinkedHashMap<>();
        Arrays.stream(flyway.info().all()).forEach((MigrationInfo i) ->
                actual.put(i.getVersion().getVersion(), i.getChecksum()));
        for (Map.Entry<String, Integer> released : RELEASED.entrySet()) {
            assertThat(actual.get(released.getKey()))
                    .as("migration V%s was edited after release (all checksums now: %s); revert it and add a new"
                            + " migration instead", released.getKey(), actual)
                    .isEqualTo(released.getValue());
        }
    }
}
