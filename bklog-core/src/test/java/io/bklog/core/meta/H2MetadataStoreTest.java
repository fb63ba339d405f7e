package io.bklog.core.meta;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The metadata contract on the embedded default: an H2 file in a temporary data dir. */
class H2MetadataStoreTest extends MetadataStoreContract {
    @TempDir
    Path dataDir;

    @TempDir
    static Path sharedDir;

    @Override
    protected MetadataConfig freshDatabase() {
        Path dir = dataDir.resolve("data" + databases++);
        return MetadataConfig.embedded(dir);
    }

    private int databases;

    @Override
    protected MetadataConfig sharedDatabase() {
        return MetadataConfig.embedded(sharedDir);
    }

    @Override
    protected void dropDatabase() {
        // the temp dir goes away with the test
    }

    @Test
    void embeddedDatabaseIsOneFileUnderTheDataDir() {
        try (MetadataStore store = open()) {
            store.migrate();
        }
        assertThat(Files.exists(dataDir.resolve("data0").resolve("meta").resolve("bklog.mv.db"))).isTrue();
        assertThat(MetadataConfig.embedded(dataDir).jdbcUrl())
                .startsWith("jdbc:h2:file:" + dataDir.toAbsolutePath() + "/meta/bklog;MODE=MySQL");
    }

    @Test
    void openingWithWrongCredentialsFailsNamingTheDatabase() {
        try (MetadataStore store = open()) {
            store.migrate();
            MetadataConfig wrong = MetadataConfig.builder().jdbcUrl(config.jdbcUrl()).user("sa").password("nope")
                    .build();
            assertThatThrownBy(() -> MetadataStore.open(wrong).close())
                    .isInstanceOf(MetadataException.class)
                    .hasMessageContaining("cannot open the metadata database")
                    .hasMessageContaining(config.jdbcUrl());
        }
    }

    @Test
    void passwordIsNotPrinted() {
        MetadataConfig c = MetadataConfig.builder().jdbcUrl("jdbc:mariadb://db:3306/bklog").user("bk")
                .password("s3cret").build();
        assertThat(c.toString()).doesNotContain("s3cret").contains("****");
    }

    @Test
    void rejectsAConfigWithoutUrl() {
        assertThatThrownBy(() -> MetadataConfig.builder().build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jdbcUrl is required");
        assertThatThrownBy(() -> MetadataConfig.builder().jdbcUrl("mysql://x").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be a JDBC URL");
    }
}
