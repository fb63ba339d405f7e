package io.bklog.core;

import io.bklog.core.meta.MetadataConfig;
import io.bklog.core.meta.MetadataStore;
import io.bklog.core.meta.Space;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.UUID;

/**
 * The second step of {@link LogPlatformBuilder#build()}: opens the metadata database (the configured one, else an
 * embedded H2 under {@code {dataDir}/meta}, else an in-memory H2), migrates it or checks its schema is current,
 * and makes sure the default space exists.
 */
final class MetadataBootstrap {
    private final MetadataConfig config;
    private final Boolean migrateOnStart;
    private final Path dataDir;
    private final Clock clock;

    /**
     * @param config         null = embedded H2
     * @param migrateOnStart null = migrate the embedded database, check a configured one
     */
    MetadataBootstrap(MetadataConfig config, Boolean migrateOnStart, Path dataDir, Clock clock) {
        this.config = config;
        this.migrateOnStart = migrateOnStart;
        this.dataDir = dataDir;
        this.clock = clock;
    }

    /** Opens, migrates or checks, and seeds the database; what it opens is added to {@code opened}. */
    MetadataStore open(List<AutoCloseable> opened) {
        MetadataConfig cfg = config;
        boolean embedded = cfg == null;
        if (cfg == null) {
            cfg = dataDir != null ? MetadataConfig.embedded(dataDir) : MetadataConfig.builder()
                    .jdbcUrl("jdbc:h2:mem:bklog_" + UUID.randomUUID().toString().replace("-", "")
                            + ";MODE=MySQL;DATABASE_TO_LOWER=TRUE;CASE_INSENSITIVE_IDENTIFIERS=TRUE"
                            + ";DEFAULT_NULL_ORDERING=HIGH")
                    .user("sa").maxPoolSize(2).build();
        }
        if (cfg.jdbcUrl().startsWith("jdbc:h2:mem:")) {
            // an in-memory H2 database lives while a connection is open: hold one until the platform closes
            try {
                opened.add(java.sql.DriverManager.getConnection(cfg.jdbcUrl(), cfg.user(), cfg.password()));
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException("cannot open the in-memory metadata database: " + e.getMessage(), e);
            }
        }
        MetadataStore meta = MetadataStore.open(cfg, clock);
        opened.add(meta);
        if (migrateOnStart != null ? migrateOnStart : embedded) {
            meta.migrate();
        } else if (!meta.isSchemaCurrent()) {
            throw new BklogException(ErrorCode.BAD_BACKEND_CONFIG, "the metadata schema of " + cfg.jdbcUrl()
                    + " is at version " + meta.schemaVersion().orElse("none") + " but this bklog needs "
                    + meta.expectedSchemaVersion() + "; run `bklog migrate` first");
        }
        if (meta.spaces().findByUid(LogPlatformBuilder.DEFAULT_SPACE).isEmpty()) {
            meta.spaces().create(Space.of(LogPlatformBuilder.DEFAULT_SPACE, "Default space"));
        }
        return meta;
    }
}
