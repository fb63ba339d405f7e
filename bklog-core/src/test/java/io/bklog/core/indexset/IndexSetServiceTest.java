package io.bklog.core.indexset;

import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.core.LogPlatform;
import io.bklog.core.meta.IndexSet;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IndexSetServiceTest {
    private final LogPlatform platform = LogPlatform.builder().build();
    private final IndexSetService service = platform.indexSets();

    @AfterEach
    void close() {
        platform.close();
    }

    private static void assertCode(Throwable t, ErrorCode code) {
        assertThat(t).isInstanceOf(BklogException.class);
        assertThat(((BklogException) t).code()).isEqualTo(code);
    }

    @Test
    void createWithDefaultsHasBklogsStandardFieldsAndRetention() {
        IndexSet s = service.create("app_logs", IndexSetSpec.defaults());
        assertThat(s.timeField()).isEqualTo("dtEventTimeStamp");
        assertThat(s.fields()).extracting(FieldSpec::name)
                .contains("dtEventTimeStamp", "log", "serverIp", "path", "gseIndex", "iterationIndex");
        assertThat(s.schema().field("log")).map(FieldSpec::type).contains(FieldType.TEXT);
        assertThat(s.retentionDays()).isEqualTo(14);
        assertThat(s.shards()).isEqualTo(1);
        assertThat(s.replicas()).isZero();
        assertThat(platform.internals().store().indexSets()).contains("app_logs");
        assertThat(service.list()).extracting(IndexSet::name).containsExactly("app_logs");
    }

    @Test
    void updateAddsFieldsAndKeepsTheOthers() {
        service.create("app_logs", IndexSetSpec.defaults());
        IndexSet s = service.update("app_logs", new IndexSetSpec(null,
                List.of(FieldSpec.of("status", FieldType.LONG)), 30, null, null, "web tier"));
        assertThat(s.fields()).extracting(FieldSpec::name).contains("log", "status");
        assertThat(s.retentionDays()).isEqualTo(30);
        assertThat(s.description()).isEqualTo("web tier");
        assertThat(service.get("app_logs").fields()).extracting(FieldSpec::name).contains("status");
    }

    @Test
    void putCreatesThenUpdates() {
        assertThat(service.put("a", IndexSetSpec.defaults()).created()).isTrue();
        assertThat(service.put("a", IndexSetSpec.defaults()).created()).isFalse();
    }

    @Test
    void changingAFieldTypeIsRefusedNamingTheField() {
        service.create("app_logs", IndexSetSpec.defaults());
        assertThatThrownBy(() -> service.update("app_logs",
                IndexSetSpec.withFields(List.of(FieldSpec.of("gseIndex", FieldType.KEYWORD)))))
                .satisfies(t -> assertCode(t, ErrorCode.INVALID_INDEX_SET))
                .hasMessageContaining("field 'gseIndex' of index set 'app_logs' is long and cannot change to keyword");
    }

    @Test
    void upperCaseNameIsRefusedExplainingWhy() {
        assertThatThrownBy(() -> service.create("AppLogs", IndexSetSpec.defaults()))
                .satisfies(t -> assertCode(t, ErrorCode.INVALID_INDEX_SET))
                .hasMessageContaining("lower-case").hasMessageContaining("Elasticsearch");
        assertThatThrownBy(() -> service.create("app-logs", IndexSetSpec.defaults()))
                .satisfies(t -> assertCode(t, ErrorCode.INVALID_INDEX_SET));
    }

    @Test
    void retentionDaysZeroIsAcceptedAndMeansKeepForever() {
        IndexSet s = service.create("forever", new IndexSetSpec(null, null, 0, null, null, null));
        assertThat(s.retentionDays()).isZero();
        assertThat(service.update("forever", new IndexSetSpec(null, null, 0, null, null, null)).retentionDays()).isZero();
    }

    @Test
    void badSettingsAreRefused() {
        assertThatThrownBy(() -> service.create("a", new IndexSetSpec(null, null, -1, null, null, null)))
                .satisfies(t -> assertCode(t, ErrorCode.INVALID_INDEX_SET)).hasMessageContaining("retention_days")
                .hasMessageContaining("0 keeps the indices forever");
        assertThatThrownBy(() -> service.create("a", new IndexSetSpec(null, null, null, 0, null, null)))
                .satisfies(t -> assertCode(t, ErrorCode.INVALID_INDEX_SET)).hasMessageContaining("shards");
        assertThatThrownBy(() -> service.create("a", new IndexSetSpec("ts",
                List.of(FieldSpec.of("ts", FieldType.KEYWORD)), null, null, null, null)))
                .satisfies(t -> assertCode(t, ErrorCode.INVALID_INDEX_SET)).hasMessageContaining("must be of type date");
        assertThat(service.list()).isEmpty();
    }

    @Test
    void indexSetsRecordedInTheDataDirAreKnownToAFreshStoreAfterARestart(@org.junit.jupiter.api.io.TempDir
                                                                         java.nio.file.Path dir) {
        try (LogPlatform first = LogPlatform.builder().dataDir(dir).backend("memory", java.util.Map.of()).build()) {
            first.indexSets().create("kept", IndexSetSpec.defaults());
        }
        try (LogPlatform second = LogPlatform.builder().dataDir(dir).backend("memory", java.util.Map.of()).build()) {
            assertThat(second.indexSets().get("kept").name()).isEqualTo("kept");
            assertThat(second.internals().store().indexSets()).contains("kept");
        }
    }

    @Test
    void createTwiceAndGetMissingSayWhatExists() {
        service.create("first", IndexSetSpec.defaults());
        assertThatThrownBy(() -> service.create("first", IndexSetSpec.defaults()))
                .satisfies(t -> assertCode(t, ErrorCode.INDEX_SET_EXISTS));
        assertThatThrownBy(() -> service.get("second"))
                .satisfies(t -> assertCode(t, ErrorCode.INDEX_SET_NOT_FOUND))
                .hasMessage("no index set named 'second'; existing: first");
    }

    @Test
    void findRecentSeesAChangeMadeHereAtOnceAndOneMadeElsewhereWithinTheTtl() {
        long[] now = {0};
        service.nanoTicker(() -> now[0]);
        assertThat(service.findRecent("app")).isEmpty();
        service.create("app", IndexSetSpec.defaults());
        assertThat(service.findRecent("app")).isPresent(); // made here: at once, though "not found" was read before
        // another instance: its own service on the same metadata database and store
        IndexSetService other = new IndexSetService(platform.internals().metadata().indexSets(),
                platform.internals().topology(), service.get("app").spaceUid());
        service.update("app", IndexSetSpec.withFields(List.of(FieldSpec.of("status", FieldType.LONG))));
        assertThat(service.findRecent("app").orElseThrow().schema().field("status")).isPresent();

        assertThat(service.findRecent("web")).isEmpty();
        other.update("app", IndexSetSpec.withFields(List.of(FieldSpec.of("code", FieldType.KEYWORD))));
        other.create("web", IndexSetSpec.defaults());
        // "not found" is never remembered: a set made on another instance is found at once (a 404 is final for
        // shippers), a name a request made up is not kept
        assertThat(service.findRecent("web")).isPresent();
        now[0] += IndexSetService.RECENT_TTL.toNanos() - 1;
        assertThat(service.findRecent("app").orElseThrow().schema().field("code")).isEmpty(); // within the TTL
        now[0] += 1;
        assertThat(service.findRecent("app").orElseThrow().schema().field("code")).isPresent(); // and not after
        assertThat(service.find("app").orElseThrow().schema().field("code")).isPresent(); // find always reads
    }
}
