package io.bklog.es;

import io.bklog.core.LogPlatform;
import io.bklog.core.indexset.IndexSetSpec;
import io.bklog.core.mask.Masker;
import io.bklog.core.patterns.PatternConfig;
import io.bklog.core.patterns.PatternQuery;
import io.bklog.core.patterns.PatternsResponse;
import io.bklog.core.schedule.TaskStatus;
import io.bklog.core.search.SearchParams;
import io.bklog.spi.IndexInfo;
import io.bklog.spi.SearchResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Log clustering on Elasticsearch: __pattern mapped as keyword, searchable, aggregated by the patterns listing. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EsPatternsIT {
    private static final Instant T0 = Instant.parse("2026-05-04T08:00:00Z");
    private LogPlatform platform;

    @BeforeAll
    void start() {
        EsFixture es = EsFixture.shared();
        platform = LogPlatform.builder().installProvider(new EsBackendProvider())
                .backend("elasticsearch", Map.of("hosts", es.url())).build();
    }

    @AfterAll
    void stop() {
        if (platform == null) return;
        platform.internals().store().deleteIndices(platform.internals().store().listIndices("*").stream().map(IndexInfo::name)
                .filter(n -> n.startsWith("v2_patterns_it")).toList());
        platform.close();
    }

    private void ingest(String set, Instant at, String... lines) {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (String l : lines) docs.add(Map.of("log", l, "dtEventTimeStamp", at.toEpochMilli()));
        platform.ingest().ingest(set, docs, true);
    }

    private List<SearchResult.Hit> search(String set, String keyword) {
        return platform.search().search(set, new SearchParams(keyword, null, null, null, 0, 100, null, null, null,
                null)).hits();
    }

    @Test
    void patternsAreAssignedSearchedListedAndLabelledOnElasticsearch() {
        platform.indexSets().create("patterns_it", IndexSetSpec.defaults().withPatterns(PatternConfig.Spec.on()));
        ingest("patterns_it", T0, "GET /a took 12 ms", "GET /a took 15 ms", "GET /a took 9 ms",
                "disk full on volume 3");
        ingest("patterns_it", T0.plusSeconds(600), "GET /a took 1 ms", "worker 7 crashed");
        String get = String.valueOf(search("patterns_it", "took").get(0).source().get("__pattern"));
        assertThat(search("patterns_it", "__pattern:" + get)).hasSize(4);

        // the terms aggregation on __pattern only works on a keyword field in Elasticsearch
        PatternsResponse r = platform.patterns().patterns("patterns_it", PatternQuery.all()
                .withRange(T0.toString(), T0.plusSeconds(3600).toString()), Masker.none());
        assertThat(r.total()).isEqualTo(6);
        assertThat(r.items()).hasSize(3);
        PatternsResponse.Item top = r.items().get(0);
        assertThat(top.id()).isEqualTo(get);
        assertThat(top.count()).isEqualTo(4);
        assertThat(top.firstSeen()).isEqualTo(T0);
        assertThat(top.lastSeen()).isEqualTo(T0.plusSeconds(600));
        assertThat(top.trend().stream().mapToLong(PatternsResponse.TrendPoint::count).sum()).isEqualTo(4);
        assertThat(top.sample()).containsEntry("log", "GET /a took 1 ms");

        PatternsResponse compared = platform.patterns().patterns("patterns_it", PatternQuery.all()
                .withRange(T0.plusSeconds(300).toString(), T0.plusSeconds(900).toString())
                .withCompareTo(T0.toString(), T0.plusSeconds(300).toString()).withSort("growth"), Masker.none());
        assertThat(compared.items().get(0).appeared()).isTrue();
        assertThat(compared.items()).filteredOn(i -> i.id().equals(get)).singleElement()
                .satisfies(i -> assertThat(i.grew()).isEqualTo(1.0 / 3));

        String disk = String.valueOf(search("patterns_it", "disk").get(0).source().get("__pattern"));
        platform.patterns().label("patterns_it", disk, "disk full");
        assertThat(search("patterns_it", "__pattern_label:\"disk full\"")).singleElement()
                .satisfies(h -> assertThat(h.source().get("log")).isEqualTo("disk full on volume 3"));
    }

    @Test
    void turningPatternsOnReminesWhatElasticsearchHolds() {
        platform.indexSets().create("patterns_it_remine", IndexSetSpec.defaults());
        ingest("patterns_it_remine", T0, "user 1 logged in", "user 2 logged in", "cache miss 4");
        platform.indexSets().update("patterns_it_remine", IndexSetSpec.defaults()
                .withPatterns(PatternConfig.Spec.on()));
        String taskId = platform.internals().metadata().asyncTasks().listByKind("patterns_remine", 10).stream()
                .filter(t -> true).findFirst().orElseThrow().id();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(platform.scheduler().status(taskId))
                .hasValueSatisfying(s -> assertThat(s.state()).isEqualTo(TaskStatus.State.DONE)));
        platform.internals().store().refresh("patterns_it_remine");
        List<SearchResult.Hit> all = search("patterns_it_remine", "*");
        assertThat(all).hasSize(3).allSatisfy(h -> assertThat(h.source()).containsKey("__pattern"));
        String login = String.valueOf(search("patterns_it_remine", "logged").get(0).source().get("__pattern"));
        assertThat(search("patterns_it_remine", "__pattern:" + login)).hasSize(2);
    }
}
