package io.bklog.core.meta;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.testkit.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The metadata contract, run once per database: {@code H2MetadataStoreTest} (embedded) and
 * {@code MariaDbMetadataStoreIT} (production). Each test starts from an empty database.
 */
abstract class MetadataStoreContract {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Instant T0 = Instant.parse("2026-03-08T02:30:00.123Z");

    static {
        // keep Flyway's and Hikari's debug chatter out of the test output
        for (String name : List.of("org.flywaydb", "com.zaxxer.hikari")) {
            if (org.slf4j.LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger l) {
                l.setLevel(ch.qos.logback.classic.Level.WARN);
            }
        }
    }

    protected MetadataConfig config;
    protected final MutableClock clock = new MutableClock(T0);
    private final List<MetadataStore> opened = new ArrayList<>();

    /** An empty database nobody else uses. */
    protected abstract MetadataConfig freshDatabase();

    protected abstract void dropDatabase();

    @BeforeEach
    void createDatabase() {
        config = freshDatabase();
    }

    @AfterEach
    void closeAndDrop() {
        opened.forEach(MetadataStore::close);
        dropDatabase();
    }

    protected MetadataStore open() {
        MetadataStore store = MetadataStore.open(config, clock);
        opened.add(store);
        return store;
    }

    /**
     * A migrated store with no rows. To keep the suite fast it is one database per test class, migrated once and
     * emptied before each use; tests about migrations themselves use {@link #open()} on a fresh database.
     */
    protected MetadataStore migrated() {
        MetadataConfig shared = sharedDatabase();
        MetadataStore store = MetadataStore.open(shared, clock);
        opened.add(store);
        if (!MIGRATED.contains(shared.jdbcUrl())) {
            // marked only once migrated: a migration that failed (the test that ran it fails) is tried again
            store.migrate();
            MIGRATED.add(shared.jdbcUrl());
        } else {
            List<String> reversed = new ArrayList<>(MetadataDump.TABLES);
            java.util.Collections.reverse(reversed);
            store.jdbi().useTransaction(h -> reversed.forEach(t -> h.execute("DELETE FROM " + t)));
        }
        return store;
    }

    private static final java.util.Set<String> MIGRATED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** The database {@link #migrated()} reuses across the tests of one class; created on first use. */
    protected abstract MetadataConfig sharedDatabase();

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    static final List<FieldSpec> FIELDS = List.of(FieldSpec.of("log", FieldType.TEXT),
            FieldSpec.of("serverIp", FieldType.IP), FieldSpec.of("status", FieldType.LONG));

    /** A space {@code s} and an index set {@code name} in it. */
    static IndexSet indexSet(MetadataStore store, String name) {
        if (store.spaces().findByUid("bkcc__2").isEmpty()) {
            store.spaces().create(Space.of("bkcc__2", "蓝鲸 space"));
        }
        return store.indexSets().create(IndexSet.of(name, "bkcc__2", FIELDS));
    }

    // ---- schema ----

    @Test
    void migratesEmptyDatabaseToTheNewestMigration() {
        MetadataStore store = open();
        assertThat(store.schemaVersion()).isEmpty();
        assertThat(store.isSchemaCurrent()).isFalse();

        MigrationResult r = store.migrate();

        assertThat(r.fromVersion()).isNull();
        assertThat(r.applied()).isGreaterThanOrEqualTo(1);
        assertThat(r.toVersion()).isEqualTo(store.expectedSchemaVersion());
        assertThat(store.schemaVersion()).contains(store.expectedSchemaVersion());
        assertThat(store.isSchemaCurrent()).isTrue();
    }

    @Test
    void migratingTwiceIsANoOp() {
        MetadataStore store = migrated();
        store.spaces().create(Space.of("bkcc__2", "two"));

        MigrationResult again = store.migrate();

        assertThat(again.applied()).isZero();
        assertThat(again.fromVersion()).isEqualTo(store.expectedSchemaVersion());
        assertThat(store.spaces().list()).hasSize(1);
    }

    @Test
    void migratesStepByStepFromVersion1() {
        MetadataStore store = open();
        MigrationResult v1 = store.migrateTo("1");
        assertThat(v1.toVersion()).isEqualTo("1");
        store.spaces().create(Space.of("bkcc__2", "kept across the upgrade"));

        MigrationResult rest = store.migrate();

        assertThat(rest.fromVersion()).isEqualTo("1");
        assertThat(rest.toVersion()).isEqualTo(store.expectedSchemaVersion());
        assertThat(store.spaces().getByUid("bkcc__2").name()).isEqualTo("kept across the upgrade");
    }

    @Test
    void version6GivesTheBootstrapTokenUnmaskedAndKeepsRowsOfVersion5PerSpace() {
        MetadataStore store = open();
        store.migrateTo("5");
        store.spaces().create(Space.of("default", "Default"));
        store.spaces().create(Space.of("bkcc__2", "B"));
        store.tokens().create(Token.of("bootstrap-admin", "boot-secret", "default", List.of("admin"), null));
        store.tokens().create(Token.of("reader", "reader-secret", "bkcc__2", List.of("viewer"), null));
        store.tokens().create(Token.of("raw", "raw-secret", "bkcc__2", List.of("viewer", "unmasked"), null));
        IndexSet set = store.indexSets().create(IndexSet.of("nginx_access", "bkcc__2", FIELDS));
        store.jdbi().useHandle(h -> {
            String now = "'2026-03-01 00:00:00.000'";
            h.execute("INSERT INTO collector_configs (name, index_set_id, source_type, source_params, filters,"
                    + " multiline, etl_config, etl_params, fields, created_at, updated_at) VALUES ('nginx', ?, 'row',"
                    + " '{}', '[]', '{}', 'bk_log_json', '{}', '[]', " + now + ", " + now + ")", set.id());
            h.execute("INSERT INTO desensitize_rules (rule_name, operator, params, match_fields, space_uid,"
                    + " is_public, created_at, updated_at) VALUES ('phone', 'mask_shield', '{}', '[]', 'bkcc__2',"
                    + " FALSE, " + now + ", " + now + ")");
            for (String user : List.of("bkcc__2/reader", "bkcc__2/raw", "bkcc__2/revoked", "anonymous")) {
                h.execute("INSERT INTO search_history (username, index_set_id, keyword, params, created_at)"
                        + " VALUES (?, ?, 'k', '{}', " + now + ")", user, set.id());
                h.execute("INSERT INTO favorites (name, space_uid, index_set_id, visible_type, keyword, addition,"
                        + " display_fields, created_by, created_at, updated_at) VALUES (?, 'bkcc__2', ?, 'public',"
                        + " 'k', '[]', '[]', ?, " + now + ", " + now + ")", "f-" + user, set.id(), user);
            }
        });

        store.migrate();

        assertThat(store.tokens().findByName("default", "bootstrap-admin").orElseThrow().roles())
                .containsExactly("admin", "unmasked");
        assertThat(store.tokens().findByName("bkcc__2", "reader").orElseThrow().roles()).containsExactly("viewer");
        assertThat(store.collectorConfigs().findByName("bkcc__2", "nginx")).isPresent();
        assertThat(store.desensitizeRules().findByName("bkcc__2", "phone")).isPresent();
        assertThat(store.searchHistory().listByUser("bkcc__2/reader", set.id(), 0, true)).hasSize(1);
        assertThat(store.searchHistory().listByUser("anonymous", set.id(), 0, true)).hasSize(1);
        assertThat(store.searchHistory().listByUser("bkcc__2/raw", set.id(), 0, true)).isEmpty();
        assertThat(store.searchHistory().listByUser("bkcc__2/revoked", set.id(), 0, true)).isEmpty();
        assertThat(store.favorites().listVisibleTo("bkcc__2", "bkcc__2/reader", true)).extracting(Favorite::name)
                .containsExactlyInAnyOrder("f-bkcc__2/reader", "f-anonymous");
        assertThat(store.favorites().listVisibleTo("bkcc__2", "bkcc__2/raw", false)).hasSize(4);
    }

    @Test
    void keepsDataAcrossReopen() {
        long id;
        try (MetadataStore store = MetadataStore.open(config, clock)) {
            store.migrate();
            id = indexSet(store, "nginx_access").id();
        }
        try (MetadataStore reopened = MetadataStore.open(config, clock)) {
            assertThat(reopened.isSchemaCurrent()).isTrue();
            assertThat(reopened.migrate().applied()).isZero();
            assertThat(reopened.indexSets().getByName("nginx_access").id()).isEqualTo(id);
        }
    }

    @Test
    void pingMeasuresARoundTrip() {
        MetadataStore store = open();
        Duration latency = store.ping();
        assertThat(latency).isPositive().isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void healthReportsPingAndSchemaVersionInTheMysqlNamespace() {
        MetadataStore store = open();
        MetadataHealthIndicator health = new MetadataHealthIndicator(store);
        assertThat(health.namespace()).isEqualTo("mysql");

        var before = health.check();
        assertThat(before).filteredOn(m -> m.metricName().equals("ping")).singleElement()
                .matches(io.bklog.spi.HealthzMetric::status);
        assertThat(before).filteredOn(m -> m.metricName().equals("schema_version")).singleElement()
                .satisfies(m -> {
                    assertThat(m.status()).isFalse();
                    assertThat(m.message()).contains("expects version " + store.expectedSchemaVersion());
                    assertThat(m.suggestion()).contains("bklog migrate");
                });

        store.migrate();
        var after = health.check();
        assertThat(after).allMatch(io.bklog.spi.HealthzMetric::status, "every metric passes");
        assertThat(after).extracting(io.bklog.spi.HealthzMetric::metricName)
                .contains("ping", "schema_version", "version", "pool_active", "pool_idle");
        if (!config.isH2()) {
            assertThat(after).extracting(io.bklog.spi.HealthzMetric::metricName)
                    .contains("max_connections", "Threads_connected", "Slow_queries", "Questions");
        }
    }

    // ---- spaces and tokens ----

    @Test
    void createsReadsUpdatesAndDeletesASpace() {
        MetadataStore store = migrated();
        Space created = store.spaces().create(Space.of("bkcc__2", "Blue").withDescription("描述"));
        assertThat(created.id()).isPositive();
        assertThat(created.version()).isEqualTo(1);
        assertThat(created.createdAt()).isEqualTo(T0.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        assertThat(created.updatedAt()).isEqualTo(created.createdAt());

        clock.advance(Duration.ofMinutes(1));
        Space updated = store.spaces().update(created.withName("Green"));
        assertThat(updated.version()).isEqualTo(2);
        assertThat(updated.name()).isEqualTo("Green");
        assertThat(updated.description()).isEqualTo("描述");
        assertThat(updated.createdAt()).isEqualTo(created.createdAt());
        assertThat(updated.updatedAt()).isEqualTo(created.createdAt().plus(Duration.ofMinutes(1)));
        assertThat(store.spaces().findById(created.id())).contains(updated);
        assertThat(store.spaces().list()).containsExactly(updated);

        store.spaces().delete(updated);
        assertThat(store.spaces().findByUid("bkcc__2")).isEmpty();
        assertThatThrownBy(() -> store.spaces().getByUid("bkcc__2"))
                .isInstanceOf(MetadataNotFoundException.class).hasMessage("space 'bkcc__2' does not exist");
    }

    @Test
    void refusesToChangeASpaceUid() {
        MetadataStore store = migrated();
        Space s = store.spaces().create(Space.of("bkcc__2", "Blue"));
        Space renamed = new Space(s.id(), "bkcc__3", s.name(), null, s.version(), s.createdAt(), s.updatedAt());
        assertThatThrownBy(() -> store.spaces().update(renamed))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("space uid cannot change");
    }

    @Test
    void findsATokenBySecretAndDropsExpiredOnes() {
        MetadataStore store = migrated();
        store.spaces().create(Space.of("bkcc__2", "Blue"));
        Token ingest = store.tokens().create(Token.of("ci-ingest", "secret-1", "bkcc__2", List.of("ingest"),
                T0.plus(Duration.ofDays(1))));
        Token admin = store.tokens().create(Token.of("admin", "secret-2", null, List.of("admin", "search"), null));

        assertThat(ingest.tokenHash()).hasSize(64).isNotEqualTo("secret-1");
        assertThat(store.tokens().findBySecret("secret-1")).contains(ingest);
        assertThat(store.tokens().findBySecret("secret-2").orElseThrow().roles()).containsExactly("admin", "search");
        assertThat(store.tokens().findBySecret("nope")).isEmpty();
        assertThat(store.tokens().listBySpace("bkcc__2")).containsExactly(ingest);
        assertThat(ingest.isExpired(T0)).isFalse();
        assertThat(ingest.isExpired(T0.plus(Duration.ofDays(2)))).isTrue();

        assertThat(store.tokens().deleteExpired(T0.plus(Duration.ofDays(2)))).isEqualTo(1);
        assertThat(store.tokens().list()).containsExactly(admin);
    }

    @Test
    void refusesATokenForAnUnknownSpace() {
        MetadataStore store = migrated();
        assertThatThrownBy(() -> store.tokens().create(Token.of("t", "s", "nope", List.of("search"), null)))
                .isInstanceOf(MetadataReferenceException.class)
                .hasMessageContaining("token 't'")
                .hasMessageContaining("refers to a row that does not exist");
    }

    // ---- index sets and collectors ----

    @Test
    void indexSetRoundTripsWithDefaultsAndFields() {
        MetadataStore store = migrated();
        IndexSet created = indexSet(store, "nginx_access");

        assertThat(created.retentionDays()).isEqualTo(14);
        assertThat(created.shards()).isEqualTo(1);
        assertThat(created.replicas()).isZero();
        assertThat(created.rotation()).isEqualTo("daily");
        assertThat(created.storeName()).isEqualTo("default");
        assertThat(created.timeField()).isEqualTo("dtEventTimeStamp");
        assertThat(created.fields()).contains(FieldSpec.of("serverIp", FieldType.IP),
                FieldSpec.of("dtEventTimeStamp", FieldType.DATE));
        assertThat(created.schema().name()).isEqualTo("nginx_access");

        IndexSet changed = store.indexSets().update(created.withRetentionDays(30).withStorage(3, 1, 50_000_000_000L)
                .withStore("elasticsearch", "es-prod").withFields(List.of(FieldSpec.of("log", FieldType.TEXT))));
        assertThat(store.indexSets().getByName("nginx_access")).isEqualTo(changed);
        assertThat(changed.retentionDays()).isEqualTo(30);
        assertThat(changed.rolloverBytes()).isEqualTo(50_000_000_000L);
        assertThat(changed.storageCluster()).isEqualTo("es-prod");
        assertThat(changed.fields()).extracting(FieldSpec::name).containsExactly("log", "dtEventTimeStamp");
        assertThat(store.indexSets().listBySpace("bkcc__2")).containsExactly(changed);
    }

    @Test
    void rejectsAnInvalidIndexSetNameBeforeTouchingTheDatabase() {
        assertThatThrownBy(() -> IndexSet.of("Bad Name", "bkcc__2", FIELDS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("index set name 'Bad Name'");
    }

    @Test
    void duplicateIndexSetNameIsReportedByName() {
        MetadataStore store = migrated();
        indexSet(store, "nginx_access");
        assertThatThrownBy(() -> indexSet(store, "nginx_access"))
                .isInstanceOf(DuplicateNameException.class)
                .hasMessageStartingWith("index set 'nginx_access' already exists");
    }

    @Test
    void duplicateNamesAreCaseSensitiveOnEveryDatabase() {
        MetadataStore store = migrated();
        store.spaces().create(Space.of("Blue", "upper"));
        store.spaces().create(Space.of("blue", "lower"));
        assertThat(store.spaces().list()).extracting(Space::spaceUid).containsExactly("Blue", "blue");
    }

    @Test
    void collectorConfigJsonColumnsRoundTrip() {
        MetadataStore store = migrated();
        IndexSet set = indexSet(store, "nginx_access");
        CollectorConfig created = store.collectorConfigs().create(CollectorConfig.of("nginx", set.id(), "row",
                json("{\"paths\":[\"/var/log/nginx/*.log\"],\"encoding\":\"UTF-8\"}"), "bk_log_json"));
        assertThat(created.filters()).isEqualTo(json("[]"));
        assertThat(created.multiline()).isEqualTo(json("{}"));
        assertThat(created.active()).isTrue();

        CollectorConfig changed = store.collectorConfigs().update(created
                .withSource("section", created.sourceParams(),
                        json("[{\"fieldindex\":2,\"word\":\"ERROR\",\"op\":\"=\",\"logic_op\":\"and\"}]"),
                        json("{\"multiline_pattern\":\"^\\\\d{4}-\",\"multiline_max_lines\":50,\"multiline_timeout\":2}"))
                .withEtl("bk_log_regexp", json("{\"retain_original_text\":true,\"separator_regexp\":\"(?P<a>\\\\w+)\","
                        + "\"ratio\":0.5,\"big\":12345678901234,\"unicode\":\"日志 ✓\",\"nothing\":null}"),
                        json("[{\"field_name\":\"a\",\"field_type\":\"string\",\"is_time\":false}]"))
                .withActive(false));

        CollectorConfig read = store.collectorConfigs().getByName("bkcc__2", "nginx");
        assertThat(read).isEqualTo(changed);
        assertThat(read.etlParams().get("big").asLong()).isEqualTo(12345678901234L);
        assertThat(read.etlParams().get("unicode").asText()).isEqualTo("日志 ✓");
        assertThat(read.multiline().get("multiline_pattern").asText()).isEqualTo("^\\d{4}-");
        assertThat(store.collectorConfigs().listActive()).isEmpty();
        assertThat(store.collectorConfigs().listByIndexSet(set.id())).containsExactly(read);
    }

    @Test
    void deletingAnIndexSetStillUsedByACollectorIsRefused() {
        MetadataStore store = migrated();
        IndexSet set = indexSet(store, "nginx_access");
        store.collectorConfigs().create(CollectorConfig.of("nginx", set.id(), "row", null, "bk_log_text"));
        assertThatThrownBy(() -> store.indexSets().delete(set))
                .isInstanceOf(MetadataReferenceException.class).hasMessageContaining("index set 'nginx_access'");
    }

    // ---- optimistic locking ----

    @Test
    void staleUpdateIsAConflictNamingBothVersions() {
        MetadataStore store = migrated();
        IndexSet mine = indexSet(store, "nginx_access");
        IndexSet theirs = store.indexSets().getByName("nginx_access");
        store.indexSets().update(theirs.withRetentionDays(7));
        IndexSet again = store.indexSets().getByName("nginx_access");
        store.indexSets().update(again.withRetentionDays(3));

        assertThatThrownBy(() -> store.indexSets().update(mine.withRetentionDays(30)))
                .isInstanceOf(MetadataConflictException.class)
                .hasMessage("index set 'nginx_access' was changed by someone else (version 3, you had 1); "
                        + "reload and retry");
        assertThat(store.indexSets().getByName("nginx_access").retentionDays()).isEqualTo(3);
    }

    @Test
    void staleDeleteIsAConflictToo() {
        MetadataStore store = migrated();
        IndexSet mine = indexSet(store, "nginx_access");
        store.indexSets().update(mine.withRetentionDays(7));
        assertThatThrownBy(() -> store.indexSets().delete(mine)).isInstanceOf(MetadataConflictException.class);
        assertThat(store.indexSets().findByName("nginx_access")).isPresent();
    }

    @Test
    void updatingADeletedRowSaysItIsGone() {
        MetadataStore store = migrated();
        IndexSet set = indexSet(store, "nginx_access");
        store.indexSets().delete(set);
        assertThatThrownBy(() -> store.indexSets().update(set.withRetentionDays(1)))
                .isInstanceOf(MetadataNotFoundException.class)
                .hasMessageContaining("index set 'nginx_access' (id " + set.id() + ") does not exist");
    }

    @Test
    void concurrentUpdatersOfOneVersionExactlyOneWins() throws Exception {
        MetadataStore store = migrated();
        IndexSet base = indexSet(store, "nginx_access");
        int writers = 6;
        CyclicBarrier start = new CyclicBarrier(writers);
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                int days = 20 + i;
                results.add(pool.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    try {
                        store.indexSets().update(base.withRetentionDays(days));
                        return true;
                    } catch (MetadataConflictException e) {
                        assertThat(e.expectedVersion()).isEqualTo(1);
                        assertThat(e.currentVersion()).isEqualTo(2);
                        return false;
                    }
                }));
            }
            int wins = 0;
            for (Future<Boolean> f : results) wins += f.get(30, TimeUnit.SECONDS) ? 1 : 0;
            assertThat(wins).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        IndexSet after = store.indexSets().getByName("nginx_access");
        assertThat(after.version()).isEqualTo(2);
        assertThat(after.retentionDays()).isBetween(20, 20 + writers - 1);
    }

    // ---- desensitize ----

    @Test
    void desensitizeRulesAreSoftDeletedAndFreeTheirName() {
        MetadataStore store = migrated();
        store.spaces().create(Space.of("bkcc__2", "Blue"));
        DesensitizeRule phone = store.desensitizeRules().create(DesensitizeRule.of("phone", DesensitizeRule.MASK_SHIELD,
                json("{\"preserve_head\":3,\"preserve_tail\":4,\"replace_mark\":\"*\"}"), "^1\\d{10}$",
                List.of("phone", "mobile"), "bkcc__2"));
        DesensitizeRule email = store.desensitizeRules().create(DesensitizeRule.publicRule("email",
                DesensitizeRule.TEXT_REPLACE, json("{\"template_string\":\"${user}@***\"}"),
                "(?P<user>\\w+)@\\w+", List.of()));

        assertThat(phone.matchFields()).containsExactly("phone", "mobile");
        assertThat(phone.params().get("preserve_tail").asInt()).isEqualTo(4);
        assertThat(store.desensitizeRules().listVisibleTo("bkcc__2")).containsExactly(email, phone);
        assertThat(store.desensitizeRules().listPublic()).containsExactly(email);
        assertThatThrownBy(() -> store.desensitizeRules().create(DesensitizeRule.of("phone", "mask_shield", null,
                null, null, "bkcc__2")))
                .isInstanceOf(DuplicateNameException.class).hasMessageStartingWith("desensitize rule 'phone'");

        DesensitizeRule deleted = store.desensitizeRules().delete(phone);
        assertThat(deleted.isDeleted()).isTrue();
        assertThat(deleted.isActive()).isFalse();
        assertThat(store.desensitizeRules().findById(phone.id())).isEmpty();
        assertThat(store.desensitizeRules().findByIdIncludingDeleted(phone.id())).contains(deleted);
        assertThat(store.desensitizeRules().listVisibleTo("bkcc__2")).containsExactly(email);
        assertThatThrownBy(() -> store.desensitizeRules().update(deleted.withActive(true)))
                .isInstanceOf(MetadataNotFoundException.class).hasMessageContaining("was deleted");

        DesensitizeRule again = store.desensitizeRules().create(DesensitizeRule.of("phone", "mask_shield", null,
                null, null, "bkcc__2"));
        assertThat(again.id()).isNotEqualTo(phone.id());
        assertThat(store.desensitizeRules().findByName("bkcc__2", "phone")).contains(again);
        assertThat(store.desensitizeRules().listIncludingDeleted()).hasSize(3);
    }

    @Test
    void staleSoftDeleteOfARuleIsAConflict() {
        MetadataStore store = migrated();
        DesensitizeRule rule = store.desensitizeRules().create(DesensitizeRule.publicRule("ip", "mask_shield", null,
                null, List.of("serverIp")));
        store.desensitizeRules().update(rule.withActive(false));
        assertThatThrownBy(() -> store.desensitizeRules().delete(rule))
                .isInstanceOf(MetadataConflictException.class)
                .hasMessage("desensitize rule 'ip' was changed by someone else (version 2, you had 1); reload and retry");
    }

    @Test
    void fieldConfigsAreReplacedAsAWholeAndKeptInPriorityOrder() {
        MetadataStore store = migrated();
        IndexSet set = indexSet(store, "nginx_access");
        DesensitizeRule rule = store.desensitizeRules().create(DesensitizeRule.publicRule("ip", "mask_shield", null,
                null, List.of("serverIp")));
        store.desensitizeFieldConfigs().create(DesensitizeFieldConfig.ofRule(set.id(), "old", rule.id(), 0));

        List<DesensitizeFieldConfig> saved = store.desensitizeFieldConfigs().replaceAll(set.id(), List.of(
                DesensitizeFieldConfig.inline(set.id(), "log", "text_replace", json("{\"template_string\":\"***\"}"),
                        "password=\\S+", 2),
                DesensitizeFieldConfig.ofRule(set.id(), "serverIp", rule.id(), 1)));

        assertThat(store.desensitizeFieldConfigs().listByIndexSet(set.id()))
                .extracting(DesensitizeFieldConfig::fieldName).containsExactly("serverIp", "log");
        assertThat(store.desensitizeFieldConfigs().listByIndexSet(set.id())).containsExactlyInAnyOrderElementsOf(saved);
        assertThat(store.desensitizeFieldConfigs().listByRule(rule.id())).hasSize(1);
        assertThatThrownBy(() -> DesensitizeFieldConfig.inline(set.id(), "x", null, null, null, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a rule id or an inline operator");

        DesensitizeConfig cfg = store.desensitizeConfigs().create(DesensitizeConfig.of(set.id(), List.of("log")));
        assertThatThrownBy(() -> store.desensitizeConfigs().create(DesensitizeConfig.of(set.id(), List.of())))
                .isInstanceOf(DuplicateNameException.class);
        DesensitizeConfig updated = store.desensitizeConfigs().update(cfg.withTextFields(List.of("log", "message")));
        assertThat(store.desensitizeConfigs().findByIndexSet(set.id())).contains(updated);

        store.indexSets().delete(store.indexSets().getByName("nginx_access"));
        assertThat(store.desensitizeFieldConfigs().listByIndexSet(set.id())).isEmpty();
        assertThat(store.desensitizeConfigs().findByIndexSet(set.id())).isEmpty();
    }

    // ---- archive and restore ----

    @Test
    void archiveSnapshotsAndRestoresFollowTheirLifecycle() {
        MetadataStore store = migrated();
        IndexSet set = indexSet(store, "nginx_access");
        ArchiveConfig archive = store.archiveConfigs().create(ArchiveConfig.of(set.id(), 30, "cold"));
        assertThatThrownBy(() -> store.archiveConfigs().create(ArchiveConfig.of(set.id(), 7, "cold")))
                .isInstanceOf(DuplicateNameException.class);
        assertThat(store.archiveConfigs().update(archive.withSnapshotDays(0)).keepsForever()).isTrue();

        ArchivedSnapshot first = store.archivedSnapshots().create(ArchivedSnapshot.of(archive.id(),
                "nginx_access_20260301_snapshot_20260308", List.of("nginx_access_20260301"), ArchivedSnapshot.IN_PROGRESS));
        clock.advance(Duration.ofDays(1));
        Instant since = clock.instant();
        ArchivedSnapshot second = store.archivedSnapshots().create(ArchivedSnapshot.of(archive.id(),
                "nginx_access_20260302_snapshot_20260309", List.of("nginx_access_20260302", "nginx_access_20260302_1"),
                ArchivedSnapshot.SUCCESS));
        ArchivedSnapshot done = store.archivedSnapshots().update(first.withState(ArchivedSnapshot.SUCCESS));

        assertThat(store.archivedSnapshots().listByArchiveConfig(archive.id())).containsExactly(done, second);
        assertThat(store.archivedSnapshots().listCreatedSince(since)).containsExactly(second);
        assertThat(store.archivedSnapshots().listCreatedBefore(archive.id(), since)).containsExactly(done);
        assertThat(store.archivedSnapshots().findByName(archive.id(), second.snapshotName())).contains(second);
        assertThatThrownBy(() -> store.archivedSnapshots().create(ArchivedSnapshot.of(archive.id(),
                second.snapshotName(), List.of(), ArchivedSnapshot.FAILED))).isInstanceOf(DuplicateNameException.class);

        RestoreJob job = store.restoreJobs().create(RestoreJob.of(archive.id(), "[回溯]nginx_access",
                Instant.parse("2026-03-01T00:00:00Z"), Instant.parse("2026-03-02T23:59:59.999Z"),
                clock.instant().plus(Duration.ofDays(7))));
        assertThat(job.durationMs()).isEqualTo(-1);
        assertThat(job.status()).isEqualTo(RestoreJob.PENDING);
        assertThat(store.restoreJobs().listNotDone()).containsExactly(job);

        IndexSet restored = indexSet(store, "restore_nginx_access");
        RestoreJob running = store.restoreJobs().update(job.withIndexSet(restored.id())
                .withProgress(RestoreJob.RUNNING, 1000, 250, 4096));
        assertThat(running.progress()).isEqualTo(0.25);
        RestoreJob finished = store.restoreJobs().update(running.withProgress(RestoreJob.RUNNING, 1000, 1000, 8192)
                .finished(42_000, null));
        assertThat(store.restoreJobs().getById(job.id())).isEqualTo(finished);
        assertThat(finished.done()).isTrue();
        assertThat(store.restoreJobs().listNotDone()).isEmpty();
        assertThat(store.restoreJobs().listExpired(clock.instant())).isEmpty();
        assertThat(store.restoreJobs().listExpired(clock.instant().plus(Duration.ofDays(8)))).containsExactly(finished);

        assertThatThrownBy(() -> store.archiveConfigs().delete(store.archiveConfigs().getById(archive.id())))
                .isInstanceOf(MetadataReferenceException.class).hasMessageContaining("archive config");
        store.indexSets().delete(restored);
        assertThat(store.restoreJobs().getById(job.id()).indexSetId()).isNull();
        assertThatThrownBy(() -> store.restoreJobs().getById(999_999))
                .isInstanceOf(MetadataNotFoundException.class).hasMessage("restore '999999' does not exist");
    }

    // ---- operations records ----

    @Test
    void backupRecordsChainIncrementalsToTheirParent() {
        MetadataStore store = migrated();
        BackupRecord full = store.backupRecords().create(BackupRecord.started("full-1", BackupRecord.Kind.FULL, null));
        assertThat(store.backupRecords().latestSuccessful()).isEmpty();
        BackupRecord fullDone = store.backupRecords().update(full.succeeded(
                json("{\"indices\":[\"a\",\"b\"],\"checksums\":{\"meta.jsonl\":\"sha256:00ff\"}}")));
        clock.advance(Duration.ofHours(1));
        BackupRecord inc = store.backupRecords().create(BackupRecord.started("inc-1", BackupRecord.Kind.INCREMENTAL,
                "full-1"));
        BackupRecord incFailed = store.backupRecords().update(inc.failed("repository unreachable"));

        assertThat(store.backupRecords().latestSuccessful()).contains(fullDone);
        assertThat(store.backupRecords().latestSuccessful(BackupRecord.Kind.INCREMENTAL)).isEmpty();
        assertThat(store.backupRecords().list(0)).containsExactly(incFailed, fullDone);
        assertThat(store.backupRecords().listChildren("full-1")).containsExactly(incFailed);
        assertThat(store.backupRecords().getById("full-1").manifest().at("/checksums/meta.jsonl").asText())
                .isEqualTo("sha256:00ff");
        assertThatThrownBy(() -> BackupRecord.started("inc-2", BackupRecord.Kind.INCREMENTAL, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a parent");
        assertThatThrownBy(() -> store.backupRecords().create(BackupRecord.started("full-1", BackupRecord.Kind.FULL,
                null))).isInstanceOf(DuplicateNameException.class).hasMessageStartingWith("backup 'full-1'");
    }

    @Test
    void taskRunsRecordOutcomeAndDuration() {
        MetadataStore store = migrated();
        Instant period = Instant.parse("2026-03-08T01:00:00Z");
        TaskRun run = store.taskRuns().create(TaskRun.started("r-1", "retention_cleanup", "default", period,
                clock.instant(), 1));
        clock.advance(Duration.ofMillis(1500));
        TaskRun ended = store.taskRuns().update(run.ended(TaskRun.SUCCESS, clock.instant(), null));
        assertThat(ended.durationMs()).isEqualTo(1500L);
        clock.advance(Duration.ofMinutes(1));
        TaskRun failed = store.taskRuns().create(TaskRun.started("r-2", "retention_cleanup", "high", period,
                clock.instant(), 2).ended(TaskRun.FAILURE, clock.instant(), "store unreachable"));

        assertThat(store.taskRuns().findByRunId("r-1")).contains(ended);
        assertThat(store.taskRuns().listByTask("retention_cleanup", 0)).containsExactly(failed, ended);
        assertThat(store.taskRuns().latest("retention_cleanup")).contains(failed);
        assertThat(store.taskRuns().listRecent(1)).containsExactly(failed);
        assertThat(store.taskRuns().deleteCreatedBefore(clock.instant())).isEqualTo(1);
        assertThat(store.taskRuns().listRecent(0)).containsExactly(failed);
    }

    @Test
    void asyncTasksKeepProgressAndJsonResult() {
        MetadataStore store = migrated();
        AsyncTask task = store.asyncTasks().create(AsyncTask.pending("t-1", "backup"));
        assertThat(task.result().isNull()).isTrue();
        AsyncTask half = store.asyncTasks().update(task.progressed(0.5, "snapshotting"));
        assertThat(store.asyncTasks().listByStatus(AsyncTask.RUNNING)).containsExactly(half);
        AsyncTask done = store.asyncTasks().update(half.succeeded(json("{\"backupId\":\"full-1\",\"bytes\":1024}"),
                "ok"));
        assertThat(store.asyncTasks().getById("t-1")).isEqualTo(done);
        assertThat(done.isFinished()).isTrue();
        assertThat(store.asyncTasks().listByKind("backup", 10)).containsExactly(done);
        assertThatThrownBy(() -> store.asyncTasks().update(half.failed("late")))
                .isInstanceOf(MetadataConflictException.class).hasMessageContaining("async task 't-1'");
        clock.advance(Duration.ofDays(1));
        assertThat(store.asyncTasks().deleteFinishedBefore(clock.instant())).isEqualTo(1);
        assertThat(store.asyncTasks().findById("t-1")).isEmpty();
    }

    @Test
    void exportJobsExpire() {
        MetadataStore store = migrated();
        IndexSet set = indexSet(store, "nginx_access");
        ExportJob job = store.exportJobs().create(ExportJob.started("e-1", "bkcc__2", set.id(),
                json("{\"keyword\":\"status:500\",\"size\":100000}")));
        ExportJob done = store.exportJobs().update(job.withStatus(ExportJob.EXPORT_PACKAGE)
                .succeeded("/data/export/e-1.tar.gz", 123_456, 100_000, clock.instant().plus(Duration.ofDays(2))));
        ExportJob other = store.exportJobs().create(ExportJob.started("e-2", "bkcc__2", set.id(), null));

        assertThat(store.exportJobs().getById("e-1")).isEqualTo(done);
        assertThat(store.exportJobs().listBySpace("bkcc__2", 0)).containsExactlyInAnyOrder(done, other);
        assertThat(store.exportJobs().listExpired(clock.instant())).isEmpty();
        assertThat(store.exportJobs().listExpired(clock.instant().plus(Duration.ofDays(3)))).containsExactly(done);
    }

    @Test
    void searchHistoryIsNewestFirstAndGoesWithItsIndexSet() {
        MetadataStore store = migrated();
        IndexSet set = indexSet(store, "nginx_access");
        SearchHistoryEntry a = store.searchHistory().record(SearchHistoryEntry.of("alice", set.id(), "status:500",
                json("{\"start_time\":1,\"end_time\":2}")));
        clock.advance(Duration.ofSeconds(1));
        SearchHistoryEntry b = store.searchHistory().record(SearchHistoryEntry.of("alice", set.id(), "错误", null));
        store.searchHistory().record(SearchHistoryEntry.of("bob", set.id(), "*", null));

        assertThat(store.searchHistory().listByUser("alice", 0)).containsExactly(b, a);
        assertThat(store.searchHistory().listByUser("alice", set.id(), 1)).containsExactly(b);
        assertThat(store.searchHistory().deleteCreatedBefore(b.createdAt())).isEqualTo(1);
        assertThat(store.searchHistory().deleteByUser("bob")).isEqualTo(1);
        assertThat(store.searchHistory().listByUser("bob", 0)).isEmpty();
        store.indexSets().delete(store.indexSets().getByName("nginx_access"));
        assertThat(store.searchHistory().listByUser("alice", 0)).isEmpty();
    }

    @Test
    void namesAreUniquePerSpaceNotAcrossSpaces() {
        MetadataStore store = migrated();
        IndexSet b = indexSet(store, "nginx_access");
        store.spaces().create(Space.of("team_c", "C"));
        IndexSet c = store.indexSets().create(IndexSet.of("c_access", "team_c", FIELDS));
        store.tokens().create(Token.of("ci", "secret-b", "bkcc__2", List.of("ingest"), null));
        Token ciC = store.tokens().create(Token.of("ci", "secret-c", "team_c", List.of("viewer"), null));
        assertThat(store.tokens().findByName("team_c", "ci")).contains(ciC);
        assertThatThrownBy(() -> store.tokens().create(Token.of("ci", "secret-c2", "team_c", List.of("viewer"), null)))
                .isInstanceOf(DuplicateNameException.class);

        store.collectorConfigs().create(CollectorConfig.of("nginx", b.id(), "row", json("{}"), "bk_log_json"));
        CollectorConfig nginxC = store.collectorConfigs().create(CollectorConfig.of("nginx", c.id(), "row",
                json("{}"), "bk_log_json"));
        assertThat(store.collectorConfigs().getByName("team_c", "nginx")).isEqualTo(nginxC);
        assertThatThrownBy(() -> store.collectorConfigs().create(CollectorConfig.of("nginx", c.id(), "row",
                json("{}"), "bk_log_json"))).isInstanceOf(DuplicateNameException.class);

        store.desensitizeRules().create(DesensitizeRule.of("phone", "mask_shield", null, null, null, "bkcc__2"));
        DesensitizeRule phoneC = store.desensitizeRules().create(DesensitizeRule.of("phone", "mask_shield", null, null,
                null, "team_c"));
        assertThat(store.desensitizeRules().findByName("team_c", "phone")).contains(phoneC);
        assertThatThrownBy(() -> store.desensitizeRules().create(DesensitizeRule.of("phone", "mask_shield", null,
                null, null, "team_c"))).isInstanceOf(DuplicateNameException.class);
        DesensitizeRule email = store.desensitizeRules().create(DesensitizeRule.publicRule("email", "mask_shield",
                null, null, null));
        assertThat(store.desensitizeRules().findByName("team_c", "email")).contains(email);
        assertThatThrownBy(() -> store.desensitizeRules().create(DesensitizeRule.publicRule("email", "mask_shield",
                null, null, null))).isInstanceOf(DuplicateNameException.class);
    }

    @Test
    void whatAnUnmaskedCallerSavedIsHiddenFromMaskedReaders() {
        MetadataStore store = migrated();
        IndexSet set = indexSet(store, "nginx_access");
        SearchHistoryEntry raw = store.searchHistory().record(SearchHistoryEntry.of("bkcc__2/alice", set.id(),
                "token:sk-abc123", null, true));
        SearchHistoryEntry plain = store.searchHistory().record(SearchHistoryEntry.of("bkcc__2/alice", set.id(),
                "status:500", null, false));
        assertThat(store.searchHistory().listByUser("bkcc__2/alice", set.id(), 0, false))
                .containsExactlyInAnyOrder(raw, plain);
        assertThat(store.searchHistory().listByUser("bkcc__2/alice", set.id(), 0, true)).containsExactly(plain);

        Favorite secret = store.favorites().create(Favorite.of("raw", "bkcc__2", set.id(), "token:sk-abc123",
                "bkcc__2/alice").withVisibility(Favorite.PUBLIC, null).withUnmasked(true));
        Favorite open = store.favorites().create(Favorite.of("open", "bkcc__2", set.id(), "status:500",
                "bkcc__2/alice").withVisibility(Favorite.PUBLIC, null));
        assertThat(secret.unmasked()).isTrue();
        assertThat(store.favorites().listVisibleTo("bkcc__2", "bkcc__2/bob", false)).containsExactly(open, secret);
        assertThat(store.favorites().listVisibleTo("bkcc__2", "bkcc__2/bob", true)).containsExactly(open);
    }

    @Test
    void favoritesArePrivateUnlessPublicAndUniquePerSpace() {
        MetadataStore store = migrated();
        IndexSet set = indexSet(store, "nginx_access");
        Favorite mine = store.favorites().create(Favorite.of("5xx", "bkcc__2", set.id(), "status:>=500", "alice")
                .withSearch("status:>=500", json("[{\"field\":\"path\",\"operator\":\"is\",\"value\":\"/api\"}]"),
                        List.of("time", "log")).withTimeRange("now-15m", null));
        Favorite shared = store.favorites().create(Favorite.of("slow", "bkcc__2", set.id(), "took:>1000", "bob")
                .withVisibility(Favorite.PUBLIC, "perf"));
        store.favorites().create(Favorite.of("bob-only", "bkcc__2", set.id(), "*", "bob"));

        assertThat(store.favorites().listVisibleTo("bkcc__2", "alice")).containsExactlyInAnyOrder(mine, shared);
        assertThat(store.favorites().listBySpace("bkcc__2")).extracting(Favorite::name)
                .as("ungrouped (NULL group) favorites sort first on every database")
                .containsExactly("5xx", "bob-only", "slow");
        assertThat(mine.addition().get(0).get("value").asText()).isEqualTo("/api");
        assertThat(mine.displayFields()).containsExactly("time", "log");
        assertThat(store.favorites().findById(mine.id()).orElseThrow())
                .extracting(Favorite::startTime, Favorite::endTime).containsExactly("now-15m", null);
        assertThatThrownBy(() -> store.favorites().create(Favorite.of("5xx", "bkcc__2", set.id(), "x", "carol")))
                .isInstanceOf(DuplicateNameException.class).hasMessageStartingWith("favorite '5xx' already exists");
        assertThatThrownBy(() -> mine.withVisibility("team", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("private or public");
    }

    @Test
    void capacityIsUpsertedPerIndexSet() {
        MetadataStore store = migrated();
        IndexSet a = indexSet(store, "nginx_access");
        IndexSet b = indexSet(store, "app_log");
        IndexSetCapacity first = store.capacity().record(IndexSetCapacity.of(a.id(), 10, 1000, 1, clock.instant()));
        assertThat(first.version()).isEqualTo(1);
        clock.advance(Duration.ofMinutes(5));
        IndexSetCapacity second = store.capacity().record(IndexSetCapacity.of(a.id(), 20, 3000, 2, clock.instant()));
        store.capacity().record(IndexSetCapacity.of(b.id(), 5, 500, 1, clock.instant()));

        assertThat(second.version()).isEqualTo(2);
        assertThat(second.createdAt()).isEqualTo(first.createdAt());
        assertThat(store.capacity().findByIndexSet(a.id())).contains(second);
        assertThat(store.capacity().list()).hasSize(2);
        assertThat(store.capacity().totalSizeBytes()).isEqualTo(3500);
    }

    // ---- dump ----

    @Test
    void esCompatResourcesAreReplacedByTheLastWriterAndReadByAnyStoreOfTheDatabase() {
        MetadataStore a = migrated();
        a.esCompatResources().put("_index_template", "filebeat-8", "{\"index_patterns\":[\"a-*\"]}");
        a.esCompatResources().put("_index_template", "filebeat-8", "{\"index_patterns\":[\"b-*\"]}");
        a.esCompatResources().put("_ilm/policy", "filebeat-8", "{\"policy\":{}}");
        MetadataStore b = MetadataStore.open(a.config(), clock); // a second instance on the same database
        opened.add(b);
        assertThat(b.esCompatResources().get("_index_template", "filebeat-8")).contains("{\"index_patterns\":[\"b-*\"]}");
        assertThat(b.esCompatResources().exists("_ilm/policy", "filebeat-8")).isTrue();
        assertThat(b.esCompatResources().exists("_template", "filebeat-8")).isFalse();
        assertThat(b.esCompatResources().delete("_ilm/policy", "filebeat-8")).isTrue();
        assertThat(a.esCompatResources().get("_ilm/policy", "filebeat-8")).isEmpty();
    }

    @Test
    void collectorRuntimeKeepsOneRowPerInstanceNewestHeartbeatFirst() {
        MetadataStore store = migrated();
        var rt = store.collectorRuntime();
        rt.record(new CollectorRuntimeRepository.Row(7, "a:9280", "running", null, "tailing 1 file(s)", 1, T0, T0));
        rt.record(new CollectorRuntimeRepository.Row(7, "b:9280", "failed", "port in use", null, 1, T0,
                T0.plusSeconds(1)));
        rt.record(new CollectorRuntimeRepository.Row(7, "a:9280", "running", null, "tailing 2 file(s)", 2, T0,
                T0.plusSeconds(2)));
        assertThat(rt.of(7)).extracting(CollectorRuntimeRepository.Row::instance, CollectorRuntimeRepository.Row::detail,
                        CollectorRuntimeRepository.Row::configVersion)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a:9280", "tailing 2 file(s)", 2L),
                        org.assertj.core.groups.Tuple.tuple("b:9280", null, 1L));
        rt.forget(7, "b:9280");
        assertThat(rt.of(7)).hasSize(1);
        rt.forget(7);
        assertThat(rt.of(7)).isEmpty();
    }

    @Test
    void dumpListsEveryTableOfTheSchema() throws Exception {
        MetadataStore store = migrated();
        List<String> tables = store.jdbi().withHandle(h -> {
            List<String> names = new ArrayList<>();
            try (var rs = h.getConnection().getMetaData().getTables(h.getConnection().getCatalog(), null, "%",
                    new String[]{"TABLE", "BASE TABLE"})) {
                while (rs.next()) {
                    String schema = rs.getString("TABLE_SCHEM");
                    if (schema != null && schema.equalsIgnoreCase("information_schema")) continue;
                    names.add(rs.getString("TABLE_NAME").toLowerCase(java.util.Locale.ROOT));
                }
            }
            return names;
        });
        tables.remove(MetadataStore.HISTORY_TABLE);
        assertThat(MetadataDump.TABLES).containsExactlyInAnyOrderElementsOf(tables);
    }

    /** At least one row in every table. */
    static void populate(MetadataStore store, MutableClock clock) {
        IndexSet set = indexSet(store, "nginx_access");
        store.tokens().create(Token.of("ci", "secret", "bkcc__2", List.of("ingest"), T0.plusSeconds(3600)));
        store.patterns().upsert(List.of(new PatternRecord("nginx_access", "3f2a9c01d4e7", "GET <PATH> <NUM>", null, 3,
                T0, T0.plusSeconds(5), null)));
        store.patterns().label("nginx_access", "3f2a9c01d4e7", "requests");
        CollectorConfig collector = store.collectorConfigs().create(CollectorConfig.of("nginx", set.id(), "row",
                json("{\"paths\":[\"/var/log/*.log\"],\"ratio\":0.75}"), "bk_log_json").withActive(false));
        store.collectorRuntime().record(new CollectorRuntimeRepository.Row(collector.id(), "host-a:9280", "failed",
                "port in use", null, collector.version(), T0, T0.plusSeconds(5)));
        store.esCompatResources().put("_index_template", "filebeat-8", "{\"index_patterns\":[\"filebeat-*\"]}");
        store.agents().record(new AgentRepository.Row("web-1", "bkcc__2", "web-1.example.com", "[\"10.0.0.7\"]",
                "{\"role\":\"web\"}", "1.0", "{\"lag\":0}", T0, T0.plusSeconds(5)));
        DesensitizeRule rule = store.desensitizeRules().create(DesensitizeRule.of("phone", "mask_shield",
                json("{\"preserve_head\":3}"), "^1\\d{10}$", List.of("phone"), "bkcc__2"));
        store.desensitizeRules().delete(store.desensitizeRules().create(DesensitizeRule.publicRule("gone",
                "mask_shield", null, null, null)));
        store.desensitizeFieldConfigs().create(DesensitizeFieldConfig.ofRule(set.id(), "phone", rule.id(), 0));
        store.desensitizeFieldConfigs().create(DesensitizeFieldConfig.inline(set.id(), "log", "text_replace",
                json("{\"template_string\":\"***\"}"), "pwd=\\S+", 1));
        store.desensitizeConfigs().create(DesensitizeConfig.of(set.id(), List.of("log")));
        ArchiveConfig archive = store.archiveConfigs().create(ArchiveConfig.of(set.id(), 30, "cold"));
        store.archivedSnapshots().create(ArchivedSnapshot.of(archive.id(), "s1", List.of("nginx_access_20260301"),
                ArchivedSnapshot.SUCCESS));
        store.restoreJobs().create(RestoreJob.of(archive.id(), "[回溯]nginx", T0.minusSeconds(86400), T0,
                T0.plusSeconds(86400)).withIndexSet(set.id()));
        store.backupRecords().create(BackupRecord.started("full-1", BackupRecord.Kind.FULL, null));
        store.taskRuns().create(TaskRun.started("r-1", "capacity_sync", "default", null, clock.instant(), 1));
        store.asyncTasks().create(AsyncTask.pending("t-1", "restore"));
        store.exportJobs().create(ExportJob.started("e-1", null, set.id(), json("{\"keyword\":\"*\"}")));
        store.searchHistory().record(SearchHistoryEntry.of("alice", set.id(), "日志 \"quoted\"\nline", null, true));
        store.favorites().create(Favorite.of("5xx", "bkcc__2", set.id(), "status:500", "alice").withUnmasked(true));
        store.capacity().record(IndexSetCapacity.of(set.id(), 1, 2, 3, clock.instant()));
        populateAlerting(store);
    }

    /** One row in each alerting table (V8; written by io.bklog.core.alert.AlertStore, package-private). */
    static void populateAlerting(MetadataStore store) {
        java.time.LocalDateTime t = java.time.LocalDateTime.ofInstant(T0, java.time.ZoneOffset.UTC);
        store.jdbi().useHandle(h -> {
            h.createUpdate("INSERT INTO alert_channels (space_uid, name, type, settings, created_at, updated_at)"
                    + " VALUES ('bkcc__2', 'ops', 'webhook', '{\"url\":\"http://h/x\"}', :t, :t)").bind("t", t)
                    .execute();
            long rule = h.createUpdate("INSERT INTO alert_rules (space_uid, name, index_set, query, filters,"
                    + " rule_condition, every_seconds, window_seconds, severity, labels, template, samples, unmasked,"
                    + " channels, created_at, updated_at) VALUES ('bkcc__2', '5xx', 'nginx_access', 'status:500', '[]',"
                    + " '{\"type\":\"count_above\",\"threshold\":10.0}', 60, 300, 'critical', '{\"team\":\"web\"}',"
                    + " '{{rule}}', 3, FALSE, '[\"ops\"]', :t, :t)").bind("t", t)
                    .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
            h.createUpdate("INSERT INTO alert_state (rule_id, state, since, last_period, last_value, last_notified,"
                    + " fence, updated_at) VALUES (:r, 'firing', :t, :t, 12.5, :t, 3, :t)").bind("r", rule)
                    .bind("t", t).execute();
            h.createUpdate("INSERT INTO alert_history (rule_id, space_uid, at, period, from_state, to_state, observed,"
                    + " message) VALUES (:r, 'bkcc__2', :t, :t, 'ok', 'firing', 12.5, '5xx: 12')").bind("r", rule)
                    .bind("t", t).execute();
            h.createUpdate("INSERT INTO alert_notifications (id, rule_id, space_uid, channel, kind, payload, status,"
                    + " attempts, created_at, updated_at) VALUES ('n-1', :r, 'bkcc__2', 'ops', 'firing', '{}',"
                    + " 'delivered', 1, :t, :t)").bind("r", rule).bind("t", t).execute();
            h.createUpdate("INSERT INTO alert_silences (space_uid, kind, rule_id, matchers, starts_at, ends_at,"
                    + " comment, created_by, created_at) VALUES ('bkcc__2', 'silence', :r, '{}', :t, :t, 'deploy',"
                    + " 'alice', :t)").bind("r", rule).bind("t", t).execute();
        });
    }

    static String withoutExportTime(String dump) {
        return dump.replaceFirst("\"exportedAt\":\"[^\"]*\"", "\"exportedAt\":\"-\"");
    }

    @Test
    void dumpAndImportRoundTripEveryRow() throws Exception {
        MetadataStore source = migrated();
        populate(source, clock);
        var out = new java.io.ByteArrayOutputStream();
        DumpSummary exported = source.dump().export(out);
        assertThat(exported.rowCounts().keySet()).containsExactlyElementsOf(MetadataDump.TABLES);
        assertThat(exported.rowCounts().values()).allMatch(n -> n >= 1);

        config = freshDatabase();
        MetadataStore target = open();
        DumpSummary imported = target.dump().importFrom(new java.io.ByteArrayInputStream(out.toByteArray()));

        assertThat(imported).isEqualTo(exported);
        assertThat(target.isSchemaCurrent()).isTrue();
        var again = new java.io.ByteArrayOutputStream();
        target.dump().export(again);
        assertThat(withoutExportTime(again.toString(java.nio.charset.StandardCharsets.UTF_8)))
                .isEqualTo(withoutExportTime(out.toString(java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(target.indexSets().getByName("nginx_access")).isEqualTo(source.indexSets().getByName("nginx_access"));
        assertThat(target.collectorConfigs().getByName("bkcc__2", "nginx"))
                .isEqualTo(source.collectorConfigs().getByName("bkcc__2", "nginx"));

        // generated ids continue after the imported ones
        IndexSet next = indexSet(target, "after_import");
        assertThat(next.id()).isGreaterThan(source.indexSets().getByName("nginx_access").id());
        assertThat(target.searchHistory().record(SearchHistoryEntry.of("bob", next.id(), "x", null)).id())
                .isGreaterThan(1);
    }

    @Test
    void importRefusesANonEmptyDatabaseAndATruncatedDump() {
        MetadataStore source = migrated();
        populate(source, clock);
        var out = new java.io.ByteArrayOutputStream();
        source.dump().export(out);
        byte[] dump = out.toByteArray();

        assertThatThrownBy(() -> source.dump().importFrom(new java.io.ByteArrayInputStream(dump)))
                .isInstanceOf(MetadataException.class).hasMessageContaining("table spaces already holds 1 rows");

        config = freshDatabase();
        MetadataStore target = open();
        String text = new String(dump, java.nio.charset.StandardCharsets.UTF_8);
        String truncated = text.substring(0, text.lastIndexOf("{\"end\""));
        assertThatThrownBy(() -> target.dump().importFrom(new java.io.ByteArrayInputStream(
                truncated.getBytes(java.nio.charset.StandardCharsets.UTF_8))))
                .isInstanceOf(MetadataException.class).hasMessageContaining("truncated");
        assertThat(target.spaces().list()).isEmpty();
        assertThat(target.dump().importFrom(new java.io.ByteArrayInputStream(dump)).totalRows())
                .isGreaterThanOrEqualTo(MetadataDump.TABLES.size());
    }

    @Test
    void exportIsOneConsistentSnapshotWhileOthersWrite() {
        MetadataStore store = migrated();
        populate(store, clock);
        long setId = store.indexSets().getByName("nginx_access").id();
        for (int i = 0; i < 200; i++) {
            store.searchHistory().record(SearchHistoryEntry.of("alice", setId, "keyword number " + i + " "
                    + "x".repeat(60), null));
        }
        var out = new java.io.ByteArrayOutputStream() {
            boolean wroteConcurrently;

            @Override
            public synchronized void write(byte[] b, int off, int len) {
                if (!wroteConcurrently) {
                    // the export is past spaces and index sets but not yet at favorites: write rows to both
                    wroteConcurrently = true;
                    store.spaces().create(Space.of("late", "late"));
                    IndexSet late = store.indexSets().create(IndexSet.of("late_set", "late", FIELDS));
                    store.favorites().create(Favorite.of("late", "late", late.id(), "*", "bob"));
                }
                super.write(b, off, len);
            }
        };
        store.dump().export(out);

        assertThat(out.wroteConcurrently).isTrue();
        String dump = out.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(dump).doesNotContain("\"late\"").doesNotContain("late_set");
        config = freshDatabase();
        MetadataStore target = open();
        target.dump().importFrom(new java.io.ByteArrayInputStream(out.toByteArray()));
        assertThat(target.favorites().listBySpace("late")).isEmpty();
        assertThat(store.favorites().listBySpace("late")).hasSize(1);
    }

    @Test
    void importRejectsSomethingThatIsNotADump() {
        MetadataStore store = migrated();
        assertThatThrownBy(() -> store.dump().importFrom(new java.io.ByteArrayInputStream(
                "{\"hello\":1}\n".getBytes(java.nio.charset.StandardCharsets.UTF_8))))
                .isInstanceOf(MetadataException.class).hasMessageContaining("not a bklog metadata dump");
    }

    // ---- patterns ----

    @Test
    void patternUpsertsInsertOnceAddCountsAndKeepLabelsAndFirstSeen() {
        MetadataStore store = migrated();
        java.time.Instant t1 = T0.plusSeconds(10);
        java.time.Instant t2 = T0.plusSeconds(20);
        store.patterns().upsert(List.of(new PatternRecord("app", "p1", "user <NUM> in", null, 2, t1, t1, null),
                new PatternRecord("app", "p2", "disk full", null, 1, t1, t1, null),
                new PatternRecord("other", "p1", "elsewhere", null, 5, t1, t1, null)));
        assertThat(store.patterns().label("app", "p2", "disk full")).isTrue();
        assertThat(store.patterns().label("app", "nope", "x")).isFalse();
        // another instance writes the same id again (insert-if-absent), and a merge
        store.patterns().upsert(List.of(new PatternRecord("app", "p1", "user <NUM> <*>", null, 3, t2, t2, null),
                new PatternRecord("app", "p2", "disk full", "p1", 0, t2, t2, null)));
        assertThat(store.patterns().list("app")).containsExactly(
                new PatternRecord("app", "p1", "user <NUM> <*>", null, 5, t1, t2, null),
                new PatternRecord("app", "p2", "disk full", "p1", 1, t1, t2, "disk full"));
        assertThat(store.patterns().list("other")).singleElement()
                .satisfies(p -> assertThat(p.count()).isEqualTo(5));
        assertThat(store.patterns().deleteIndexSet("app")).isEqualTo(2);
        assertThat(store.patterns().list("app")).isEmpty();
    }
}
