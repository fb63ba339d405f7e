package io.bklog.core.meta;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
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

    protected MetadataStore migrated() {
        MetadataStore store = open();
        store.migrate();
        return store;
    }

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

        CollectorConfig read = store.collectorConfigs().getByName("nginx");
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
}
