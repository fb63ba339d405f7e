package io.bklog.core.meta;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.output.MigrateResult;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.argument.AbstractArgumentFactory;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.argument.Arguments;
import org.jdbi.v3.core.argument.NullArgument;
import org.jdbi.v3.core.config.ConfigRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The metadata database: a connection pool, Flyway migrations and one repository per aggregate.
 *
 * <pre>{@code
 * try (MetadataStore meta = MetadataStore.open(MetadataConfig.embedded(dataDir))) {
 *     meta.migrate();
 *     IndexSet set = meta.indexSets().create(IndexSet.of("nginx_access", "bkcc__2", fields));
 * }
 * }</pre>
 *
 * <p>Migrations live in {@code classpath:db/migration/bklog} and are recorded in {@code bklog_schema_history}, so
 * a host application's own Flyway migrations on the same database do not collide with ours. The same SQL runs
 * on H2 (MODE=MySQL) and MariaDB/MySQL. Thread-safe; close it to release the pool (and the H2 file lock).
 */
public final class MetadataStore implements AutoCloseable {
    /** Where the migrations are on the classpath. */
    public static final String MIGRATIONS = "classpath:db/migration/bklog";
    /** Flyway's history table. */
    public static final String HISTORY_TABLE = "bklog_schema_history";

    private static final Logger log = LoggerFactory.getLogger(MetadataStore.class);

    private final MetadataConfig config;
    private final HikariDataSource dataSource;
    private final Db db;
    private volatile String expectedVersion;
    private final SpaceRepository spaces;
    private final TokenRepository tokens;
    private final IndexSetRepository indexSets;
    private final CollectorConfigRepository collectorConfigs;
    private final DesensitizeRuleRepository desensitizeRules;
    private final DesensitizeFieldConfigRepository desensitizeFieldConfigs;
    private final DesensitizeConfigRepository desensitizeConfigs;
    private final ArchiveConfigRepository archiveConfigs;
    private final ArchivedSnapshotRepository archivedSnapshots;
    private final RestoreJobRepository restoreJobs;
    private final BackupRecordRepository backupRecords;
    private final TaskRunRepository taskRuns;
    private final AsyncTaskRepository asyncTasks;
    private final ExportJobRepository exportJobs;
    private final SearchHistoryRepository searchHistory;
    private final FavoriteRepository favorites;
    private final IndexSetCapacityRepository capacity;
    private final EsCompatResourceRepository esCompatResources;
    private final CollectorRuntimeRepository collectorRuntime;
    private final AgentRepository agents;
    private final PatternRepository patterns;

    private MetadataStore(MetadataConfig config, Clock clock) {
        this.config = config;
        this.dataSource = pool(config);
        Jdbi jdbi = Jdbi.create(dataSource);
        jdbi.getConfig(Arguments.class).setUntypedNullArgument(new NullArgument(Types.NULL));
        jdbi.registerArgument(new AbstractArgumentFactory<LocalDateTime>(Types.TIMESTAMP) {
            @Override
            protected Argument build(LocalDateTime value, ConfigRegistry cfg) {
                return (position, statement, ctx) -> statement.setObject(position, value);
            }
        });
        this.db = new Db(jdbi, clock, Rows.MAPPER);
        this.spaces = new SpaceRepository(db);
        this.tokens = new TokenRepository(db);
        this.indexSets = new IndexSetRepository(db);
        this.collectorConfigs = new CollectorConfigRepository(db);
        this.desensitizeRules = new DesensitizeRuleRepository(db);
        this.desensitizeFieldConfigs = new DesensitizeFieldConfigRepository(db);
        this.desensitizeConfigs = new DesensitizeConfigRepository(db);
        this.archiveConfigs = new ArchiveConfigRepository(db);
        this.archivedSnapshots = new ArchivedSnapshotRepository(db);
        this.restoreJobs = new RestoreJobRepository(db);
        this.backupRecords = new BackupRecordRepository(db);
        this.taskRuns = new TaskRunRepository(db);
        this.asyncTasks = new AsyncTaskRepository(db);
        this.exportJobs = new ExportJobRepository(db);
        this.searchHistory = new SearchHistoryRepository(db);
        this.favorites = new FavoriteRepository(db);
        this.capacity = new IndexSetCapacityRepository(db);
        this.esCompatResources = new EsCompatResourceRepository(db);
        this.collectorRuntime = new CollectorRuntimeRepository(db);
        this.agents = new AgentRepository(db);
        this.patterns = new PatternRepository(db);
    }

    /** Opens the pool (failing fast if the database cannot be reached); does not migrate. */
    public static MetadataStore open(MetadataConfig config) {
        return open(config, Clock.systemUTC());
    }

    /** As {@link #open(MetadataConfig)}, stamping created/updated times from {@code clock}. */
    public static MetadataStore open(MetadataConfig config, Clock clock) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(clock, "clock");
        return new MetadataStore(config, clock);
    }

    private static HikariDataSource pool(MetadataConfig config) {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("bklog-meta");
        hc.setJdbcUrl(config.jdbcUrl());
        hc.setUsername(config.user());
        hc.setPassword(config.password());
        hc.setMaximumPoolSize(config.maxPoolSize());
        hc.setMinimumIdle(Math.min(2, config.maxPoolSize()));
        hc.setConnectionTimeout(config.connectionTimeout().toMillis());
        hc.setValidationTimeout(Math.min(5_000, Math.max(250, config.connectionTimeout().toMillis() / 2)));
        try {
            return new HikariDataSource(hc);
        } catch (HikariPool.PoolInitializationException | IllegalArgumentException | IllegalStateException e) {
            Throwable root = e.getCause() != null ? e.getCause() : e;
            throw new MetadataException("cannot open the metadata database " + config.jdbcUrl() + " as user '"
                    + config.user() + "': " + Db.firstLine(root.getMessage())
                    + (config.isH2() ? " (is another bklog process using this data dir?)"
                    : " (is the server running and the database created?)"), e);
        }
    }

    // ---- schema ----

    private Flyway flyway(MigrationVersion target) {
        var cfg = Flyway.configure(MetadataStore.class.getClassLoader())
                .dataSource(dataSource)
                .locations(MIGRATIONS)
                .table(HISTORY_TABLE)
                .failOnMissingLocations(true)
                .validateMigrationNaming(true)
                .cleanDisabled(true);
        if (target != null) cfg.target(target);
        return cfg.load();
    }

    /** Brings the schema to {@link #expectedSchemaVersion()}; a no-op when it is already there. */
    public MigrationResult migrate() {
        return migrate(null);
    }

    /**
     * Migrates up to and including {@code version} only (for upgrade tests and staged upgrades). Migrating to a
     * version older than the current one does nothing: migrations are never undone.
     */
    public MigrationResult migrateTo(String version) {
        Rows.required(version, "target schema version");
        return migrate(MigrationVersion.fromVersion(version));
    }

    private MigrationResult migrate(MigrationVersion target) {
        try {
            MigrateResult r = flyway(target).migrate();
            String from = r.initialSchemaVersion;
            String to = schemaVersion().orElse(null);
            log.info("metadata migrated url={} from={} to={} applied={}", config.jdbcUrl(), from, to,
                    r.migrationsExecuted);
            return new MigrationResult(from, to, r.migrationsExecuted);
        } catch (FlywayException e) {
            throw new MetadataException("metadata migration failed on " + config.jdbcUrl() + ": "
                    + Db.firstLine(e.getMessage()), e);
        }
    }

    /**
     * The version of the newest migration applied to the database; empty for an empty database. Reads the history
     * table directly, so it is cheap enough for every health check.
     */
    public Optional<String> schemaVersion() {
        try (Connection c = dataSource.getConnection()) {
            if (!historyTableExists(c)) return Optional.empty();
            try (PreparedStatement ps = c.prepareStatement("SELECT version FROM " + HISTORY_TABLE
                    + " WHERE success = ? AND version IS NOT NULL ORDER BY installed_rank DESC")) {
                ps.setBoolean(1, true);
                ps.setMaxRows(1);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            }
        } catch (SQLException e) {
            throw new MetadataException("cannot read the metadata schema version from " + config.jdbcUrl() + ": "
                    + Db.firstLine(e.getMessage()), e);
        }
    }

    private static boolean historyTableExists(Connection c) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        try (ResultSet rs = md.getTables(c.getCatalog(), c.getSchema(), HISTORY_TABLE, null)) {
            if (rs.next()) return true;
        }
        try (ResultSet rs = md.getTables(c.getCatalog(), c.getSchema(), HISTORY_TABLE.toUpperCase(Locale.ROOT), null)) {
            return rs.next();
        }
    }

    /** The version of the newest migration shipped with this code: what {@link #migrate()} brings the schema to. */
    public String expectedSchemaVersion() {
        String cached = expectedVersion;
        if (cached != null) return cached;
        try {
            cached = Arrays.stream(flyway(null).info().all())
                    .filter(i -> i.getState().isResolved() && i.getVersion() != null)
                    .map(MigrationInfo::getVersion)
                    .max(Comparator.naturalOrder())
                    .map(MigrationVersion::getVersion)
                    .orElseThrow(() -> new MetadataException("no migrations found in " + MIGRATIONS));
            expectedVersion = cached;
            return cached;
        } catch (FlywayException e) {
            throw new MetadataException("cannot list the metadata migrations: " + Db.firstLine(e.getMessage()), e);
        }
    }

    /** True when the database is at {@link #expectedSchemaVersion()}. */
    public boolean isSchemaCurrent() {
        return schemaVersion().map(v -> v.equals(expectedSchemaVersion())).orElse(false);
    }

    /**
     * Round trip to the database (borrow a connection and validate it); the latency, or
     * {@link MetadataException} saying why it failed.
     */
    public Duration ping() {
        long start = System.nanoTime();
        try (Connection c = dataSource.getConnection()) {
            int timeoutSeconds = (int) Math.max(1, config.connectionTimeout().toSeconds());
            if (!c.isValid(timeoutSeconds)) {
                throw new MetadataException("metadata database " + config.jdbcUrl() + " did not answer within "
                        + timeoutSeconds + "s");
            }
        } catch (SQLException e) {
            throw new MetadataException("metadata database " + config.jdbcUrl() + " is unreachable: "
                    + Db.firstLine(e.getMessage()), e);
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    // ---- repositories ----

    public SpaceRepository spaces() {
        return spaces;
    }

    public TokenRepository tokens() {
        return tokens;
    }

    public IndexSetRepository indexSets() {
        return indexSets;
    }

    public CollectorConfigRepository collectorConfigs() {
        return collectorConfigs;
    }

    public DesensitizeRuleRepository desensitizeRules() {
        return desensitizeRules;
    }

    public DesensitizeFieldConfigRepository desensitizeFieldConfigs() {
        return desensitizeFieldConfigs;
    }

    public DesensitizeConfigRepository desensitizeConfigs() {
        return desensitizeConfigs;
    }

    public ArchiveConfigRepository archiveConfigs() {
        return archiveConfigs;
    }

    public ArchivedSnapshotRepository archivedSnapshots() {
        return archivedSnapshots;
    }

    public RestoreJobRepository restoreJobs() {
        return restoreJobs;
    }

    public BackupRecordRepository backupRecords() {
        return backupRecords;
    }

    public TaskRunRepository taskRuns() {
        return taskRuns;
    }

    public AsyncTaskRepository asyncTasks() {
        return asyncTasks;
    }

    public ExportJobRepository exportJobs() {
        return exportJobs;
    }

    public SearchHistoryRepository searchHistory() {
        return searchHistory;
    }

    public FavoriteRepository favorites() {
        return favorites;
    }

    /** Mined log patterns per index set (docs/patterns.md). */
    public PatternRepository patterns() {
        return patterns;
    }

    public IndexSetCapacityRepository capacity() {
        return capacity;
    }

    /** Templates, ILM policies and ingest pipelines put on the Elasticsearch-compatible surface. */
    public EsCompatResourceRepository esCompatResources() {
        return esCompatResources;
    }

    /** Which instance runs each collector's source and its state there. */
    public CollectorRuntimeRepository collectorRuntime() {
        return collectorRuntime;
    }

    /** The agents' last reported status. */
    public AgentRepository agents() {
        return agents;
    }

    /** Export/import of every table, for backups and moving between databases. */
    public MetadataDump dump() {
        return MetadataDump.of(this);
    }

    // ---- access ----

    public MetadataConfig config() {
        return config;
    }

    /** The Jdbi instance, for queries no repository offers (read-only use recommended). */
    public Jdbi jdbi() {
        return db.jdbi;
    }

    /** The pooled data source (for metrics binders). */
    public DataSource dataSource() {
        return dataSource;
    }

    Db db() {
        return db;
    }

    @Override
    public void close() {
        dataSource.close();
        log.info("metadata store closed url={}", config.jdbcUrl());
    }
}
