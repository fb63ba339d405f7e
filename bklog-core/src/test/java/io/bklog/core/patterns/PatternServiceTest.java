package io.bklog.core.patterns;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.core.LogPlatform;
import io.bklog.core.indexset.IndexSetSpec;
import io.bklog.core.mask.MaskRules;
import io.bklog.core.mask.Masker;
import io.bklog.core.meta.PatternRecord;
import io.bklog.core.search.SearchParams;
import io.bklog.core.search.SearchResponse;
import io.bklog.spi.SearchResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PatternServiceTest {
    static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private final LogPlatform platform = LogPlatform.builder().clock(Clock.fixed(T0.plusSeconds(7200), ZoneOffset.UTC))
            .build();

    @AfterEach
    void close() {
        platform.close();
    }

    static IndexSetSpec clustered() {
        return IndexSetSpec.defaults().withPatterns(PatternConfig.Spec.on());
    }

    void ingest(String set, Instant at, String... lines) {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (String l : lines) docs.add(Map.of("log", l, "dtEventTimeStamp", at.toEpochMilli()));
        platform.ingest().ingest(set, docs, true);
    }

    List<SearchResult.Hit> search(String set, String keyword) {
        return platform.search().search(set, new SearchParams(keyword, null, null, null, 0, 100, null, null, null,
                null)).hits();
    }

    static String patternOf(SearchResult.Hit h) {
        return String.valueOf(h.source().get("__pattern"));
    }

    @Test
    void eachDocumentGetsASearchablePatternIdAndLinesDifferingOnlyInNumbersShareIt() {
        platform.indexSets().create("app", clustered());
        ingest("app", T0, "user 17 logged in from 10.0.0.1", "user 42 logged in from 10.0.0.2",
                "disk full on volume data");
        List<SearchResult.Hit> all = search("app", "*");
        assertThat(all).hasSize(3).allSatisfy(h -> assertThat(h.source()).containsKey("__pattern"));
        String login = all.stream().filter(h -> h.source().get("log").toString().startsWith("user 17"))
                .map(PatternServiceTest::patternOf).findFirst().orElseThrow();
        String disk = all.stream().filter(h -> h.source().get("log").toString().startsWith("disk"))
                .map(PatternServiceTest::patternOf).findFirst().orElseThrow();
        assertThat(login).isNotEqualTo(disk);
        assertThat(search("app", "__pattern:" + login)).hasSize(2)
                .allSatisfy(h -> assertThat(h.source().get("log").toString()).contains("logged in"));
        assertThat(search("app", "__pattern:" + disk)).hasSize(1);
    }

    @Test
    void anIndexSetWithPatternsOffHasNoPatternFieldAndItsPatternsRouteSaysSo() {
        platform.indexSets().create("plain", IndexSetSpec.defaults());
        ingest("plain", T0, "user 1 logged in");
        assertThat(search("plain", "*").get(0).source()).doesNotContainKey("__pattern");
        assertThatThrownBy(() -> platform.patterns().patterns("plain", PatternQuery.all(), Masker.none()))
                .isInstanceOfSatisfying(BklogException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.PATTERNS_OFF);
                    assertThat(e.field()).contains("patterns.enabled");
                });
    }

    @Test
    void settingsAreValidatedNamingTheField() {
        assertThatThrownBy(() -> platform.indexSets().create("a", IndexSetSpec.defaults().withPatterns(
                new PatternConfig.Spec(true, "nosuch", null, null))))
                .isInstanceOfSatisfying(BklogException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INDEX_SET);
                    assertThat(e.field()).contains("patterns.field");
                });
        assertThatThrownBy(() -> platform.indexSets().create("a", IndexSetSpec.defaults().withPatterns(
                new PatternConfig.Spec(true, null, List.of("number", "mac"), null))))
                .isInstanceOfSatisfying(BklogException.class, e -> assertThat(e.field()).contains("patterns.maskers[1]"));
        assertThatThrownBy(() -> platform.indexSets().create("a", IndexSetSpec.defaults().withPatterns(
                new PatternConfig.Spec(true, null, null, 1.5))))
                .isInstanceOfSatisfying(BklogException.class, e -> assertThat(e.field()).contains("patterns.precision"));
        assertThatThrownBy(() -> platform.indexSets().create("a", IndexSetSpec.defaults().withPatterns(
                new PatternConfig.Spec(true, "gseIndex", null, null))))
                .isInstanceOfSatisfying(BklogException.class, e -> assertThat(e.field()).contains("patterns.field"));
        assertThat(platform.indexSets().list()).isEmpty();

        var created = platform.indexSets().create("a", IndexSetSpec.defaults().withPatterns(
                new PatternConfig.Spec(true, "log", List.of("ip", "NUMBER"), 0.7)));
        assertThat(created.patterns()).isEqualTo(new PatternConfig(true, "log", List.of("ip", "number"), 0.7));
        assertThat(created.schema().field("__pattern")).isPresent();
        // unchanged components stay as they were
        var updated = platform.indexSets().update("a", IndexSetSpec.defaults().withPatterns(
                new PatternConfig.Spec(null, null, null, 0.3)));
        assertThat(updated.patterns()).isEqualTo(new PatternConfig(true, "log", List.of("ip", "number"), 0.3));
        assertThat(platform.indexSets().get("a").patterns()).isEqualTo(updated.patterns());
    }

    @Test
    void listsPatternsOfASearchWithCountsTrendSampleAndNew() {
        platform.indexSets().create("app", clustered());
        ingest("app", T0, "GET /a took 12 ms", "GET /a took 15 ms", "GET /a took 9 ms", "cache miss for key 7");
        ingest("app", T0.plusSeconds(1800), "GET /a took 3 ms", "worker 3 crashed");
        PatternsResponse r = platform.patterns().patterns("app", PatternQuery.all()
                .withRange(T0.toString(), T0.plusSeconds(3600).toString()), Masker.none());
        assertThat(r.total()).isEqualTo(6);
        assertThat(r.patterns()).isEqualTo(3);
        assertThat(r.interval()).isNotNull();
        PatternsResponse.Item top = r.items().get(0);
        assertThat(top.count()).isEqualTo(4);
        assertThat(top.template()).startsWith("GET").contains("took").doesNotContain("12");
        assertThat(top.firstSeen()).isEqualTo(T0);
        assertThat(top.lastSeen()).isEqualTo(T0.plusSeconds(1800));
        assertThat(top.trend().stream().mapToLong(PatternsResponse.TrendPoint::count).sum()).isEqualTo(4);
        assertThat(top.sample()).containsEntry("log", "GET /a took 3 ms");
        assertThat(top.fresh()).isTrue();
        // the query of a search narrows the lines counted
        PatternsResponse crashed = platform.patterns().patterns("app", PatternQuery.all().withKeyword("crashed"),
                Masker.none());
        assertThat(crashed.items()).singleElement().satisfies(i -> assertThat(i.count()).isEqualTo(1));
        // not new when lines of the pattern exist before the range
        PatternsResponse later = platform.patterns().patterns("app", PatternQuery.all()
                .withRange(T0.plusSeconds(1000).toString(), T0.plusSeconds(3600).toString()), Masker.none());
        assertThat(later.items()).filteredOn(i -> i.template().startsWith("GET")).singleElement()
                .satisfies(i -> assertThat(i.fresh()).isFalse());
        assertThat(later.items()).filteredOn(i -> i.template().startsWith("worker")).singleElement()
                .satisfies(i -> assertThat(i.fresh()).isTrue());
        assertThat(platform.patterns().patterns("app", PatternQuery.all().withSize(1), Masker.none()).items())
                .hasSize(1);
        assertThatThrownBy(() -> platform.patterns().patterns("app", PatternQuery.all().withSize(0), Masker.none()))
                .isInstanceOfSatisfying(BklogException.class, e -> assertThat(e.field()).contains("size"));
    }

    @Test
    void compareToMarksPatternsThatAppearedOrGrewAndSortsByGrowth() {
        platform.indexSets().create("app", clustered());
        Instant before = T0;
        Instant now = T0.plusSeconds(3600);
        ingest("app", before, "GET /a took 1 ms", "GET /a took 2 ms", "queue depth 5", "queue depth 6",
                "queue depth 7", "queue depth 8");
        ingest("app", now, "GET /a took 1 ms", "GET /a took 2 ms", "GET /a took 3 ms", "GET /a took 4 ms",
                "queue depth 9", "queue depth 9", "queue depth 9", "queue depth 9", "disk full on volume data");
        PatternQuery q = PatternQuery.all().withRange(now.toString(), now.plusSeconds(60).toString())
                .withCompareTo(before.toString(), before.plusSeconds(60).toString());
        PatternsResponse r = platform.patterns().patterns("app", q.withSort("growth"), Masker.none());
        assertThat(r.items()).extracting(i -> String.valueOf(i.sample().get("log")).split(" ")[0])
                .containsExactly("disk", "GET", "queue");
        PatternsResponse.Item disk = r.items().get(0);
        assertThat(disk.appeared()).isTrue();
        assertThat(disk.previousCount()).isZero();
        assertThat(disk.grew()).isNull();
        assertThat(r.items().get(1).grew()).isEqualTo(2.0);
        assertThat(r.items().get(1).appeared()).isFalse();
        assertThat(r.items().get(2).grew()).isEqualTo(1.0);
        // by count (the default): the 4 GET lines first (4 queue lines too: ties go by id), the new one last
        assertThat(platform.patterns().patterns("app", q, Masker.none()).items())
                .extracting(PatternsResponse.Item::count).containsExactly(4L, 4L, 1L);
        assertThatThrownBy(() -> platform.patterns().patterns("app", PatternQuery.all().withSort("growth"),
                Masker.none())).isInstanceOfSatisfying(BklogException.class,
                e -> assertThat(e.field()).contains("compare_to"));
    }

    @Test
    void aLabelIsSearchableAndFiltersThePatternList() {
        platform.indexSets().create("app", clustered());
        ingest("app", T0, "disk full on volume 1", "disk full on volume 2", "user 1 logged in");
        String disk = patternOf(search("app", "disk").get(0));
        PatternRecord labelled = platform.patterns().label("app", disk, "Disk Full");
        assertThat(labelled.label()).isEqualTo("Disk Full");
        assertThat(search("app", "__pattern_label:\"disk full\"")).hasSize(2);
        assertThat(search("app", "__pattern_label:\"nothing\"")).isEmpty();
        assertThat(platform.patterns().patterns("app", PatternQuery.all().withLabel("disk full"), Masker.none())
                .items()).singleElement().satisfies(i -> {
                    assertThat(i.id()).isEqualTo(disk);
                    assertThat(i.label()).isEqualTo("Disk Full");
                });
        assertThatThrownBy(() -> platform.patterns().label("app", "nosuchid", "x"))
                .isInstanceOfSatisfying(BklogException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.PATTERN_NOT_FOUND));
    }

    @Test
    void aMaskedReaderNeverSeesTheRawValueInTemplateSampleOrLabel() throws Exception {
        platform.indexSets().create("app", IndexSetSpec.defaults().withPatterns(
                new PatternConfig.Spec(true, null, List.of(), null)));
        ingest("app", T0, "login failed for alice from vpn", "login failed for alice from vpn");
        String id = patternOf(search("app", "*").get(0));
        platform.patterns().label("app", id, "alice locked out");
        var step = MaskRules.compile("rule", "text_replace", new ObjectMapper().readTree(
                "{\"template_string\":\"[USER]\"}"), "alice", 0);
        Masker masker = new Masker(Map.of("user", List.of(step)), Set.of("log"));
        PatternsResponse.Item item = platform.patterns().patterns("app", PatternQuery.all(), masker).items().get(0);
        assertThat(item.template()).isEqualTo("login failed for [USER] from vpn");
        assertThat(String.valueOf(item.sample())).doesNotContain("alice").contains("[USER]");
        assertThat(item.label()).isEqualTo("[USER] locked out");
        // an unmasked reader sees them
        PatternsResponse.Item raw = platform.patterns().patterns("app", PatternQuery.all(), Masker.none()).items()
                .get(0);
        assertThat(raw.template()).contains("alice");
        assertThat(raw.label()).isEqualTo("alice locked out");
    }

    @Test
    void newPatternsAreWrittenToTheDatabaseWithCounts() {
        platform.indexSets().create("app", clustered());
        ingest("app", T0, "user 1 logged in", "user 2 logged in", "disk full");
        platform.patterns().flush();
        List<PatternRecord> rows = platform.internals().metadata().patterns().list("app");
        assertThat(rows).hasSize(2);
        assertThat(rows).filteredOn(p -> p.template().startsWith("user")).singleElement()
                .satisfies(p -> assertThat(p.count()).isEqualTo(2));
        ingest("app", T0, "user 3 logged in");
        platform.patterns().flush();
        assertThat(platform.internals().metadata().patterns().list("app")).filteredOn(p -> p.template().startsWith("user"))
                .singleElement().satisfies(p -> {
                    assertThat(p.count()).isEqualTo(3);
                    assertThat(p.firstSeen()).isEqualTo(T0.plusSeconds(7200));
                });
    }

    @Test
    void changingHowLinesAreMinedForgetsThePatternsOfTheOldSettingsSoTheNewMinerDoesNotReuseThem() {
        platform.indexSets().create("app", clustered());
        ingest("app", T0, "user alice logged in", "user bob logged in", "user carol logged in",
                "user dave logged in", "user erin logged in");
        platform.patterns().flush();
        assertThat(platform.internals().metadata().patterns().list("app")).isNotEmpty();

        assertThat(platform.internals().metadata().patterns().list("app"))
                .as("the old settings merged the lines into one general pattern")
                .anySatisfy(r -> assertThat(r.template()).isEqualTo("user <*> logged in"));

        platform.indexSets().update("app", IndexSetSpec.defaults().withPatterns(
                new PatternConfig.Spec(null, null, null, 1.0)));
        // the change also queues a re-mine of the stored lines with the new settings (precision 1.0: no line is
        // merged with another), which may already have written its rows: none of the old settings' rows remain
        assertThat(platform.internals().metadata().patterns().list("app"))
                .as("rows of the old settings are deleted with the settings change")
                .allSatisfy(r -> {
                    assertThat(r.template()).doesNotContain("<*>");
                    assertThat(r.mergedInto()).isNull();
                });
        ingest("app", T0, "user frank logged in");
        platform.patterns().flush();
        assertThat(platform.internals().metadata().patterns().list("app"))
                .as("only what the new miner mined is written: the old general pattern is not reused")
                .allSatisfy(r -> {
                    assertThat(r.template()).doesNotContain("<*>");
                    assertThat(r.mergedInto()).isNull();
                })
                .anySatisfy(r -> assertThat(r.template()).isEqualTo("user frank logged in"));
    }
}
