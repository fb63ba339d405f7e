package io.bklog.core.patterns;

import io.bklog.core.LogPlatform;
import io.bklog.core.indexset.IndexSetSpec;
import io.bklog.core.meta.MetadataConfig;
import io.bklog.core.meta.PatternRecord;
import io.bklog.core.schedule.TaskStatus;
import io.bklog.core.search.SearchParams;
import io.bklog.spi.SearchResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Patterns are shared through the metadata database: across instances, restarts, and re-mined on changes. */
class PatternSharingTest {
    static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    static void ingest(LogPlatform p, String... lines) {
        p.ingest().ingest("app", java.util.Arrays.stream(lines).<Map<String, Object>>map(l -> Map.of("log", l,
                "dtEventTimeStamp", T0.toEpochMilli())).toList(), true);
    }

    static List<SearchResult.Hit> hits(LogPlatform p, String keyword) {
        return p.search().search("app", new SearchParams(keyword, null, null, null, 0, 100, null, null, null, null))
                .hits();
    }

    static String patternOf(LogPlatform p, String keyword) {
        return String.valueOf(hits(p, keyword).get(0).source().get("__pattern"));
    }

    @Test
    void twoInstancesOnOneDatabaseGiveTheSameIdsAndKnowEachOthersPatterns(@TempDir Path dir) {
        MetadataConfig meta = MetadataConfig.embedded(dir);
        try (LogPlatform a = LogPlatform.builder().metadataConfig(meta).migrateOnStart(true).backend("memory", Map.of()).build();
             LogPlatform b = LogPlatform.builder().metadataConfig(meta).migrateOnStart(true).backend("memory", Map.of()).build()) {
            a.indexSets().create("app", IndexSetSpec.defaults().withPatterns(PatternConfig.Spec.on()));
            b.indexSets().syncStore(); // each instance has its own (memory) store here; Elasticsearch is shared
            ingest(a, "user 1 logged in from 10.0.0.1", "cache miss for key 7");
            a.patterns().flush();
            String login = patternOf(a, "logged");
            String cache = patternOf(a, "cache");
            // created on a, known to b
            assertThat(b.patterns().known("app")).extracting(PatternRecord::id).contains(login, cache);
            ingest(b, "user 2 logged in from 10.0.0.2");
            assertThat(patternOf(b, "logged")).isEqualTo(login);
            b.patterns().flush();
            assertThat(a.patterns().known("app")).filteredOn(r -> r.id().equals(login)).singleElement()
                    .satisfies(r -> assertThat(r.count()).isEqualTo(2));
            // a pattern first seen on b reaches a through the periodic sync
            ingest(b, "worker 3 crashed");
            String worker = patternOf(b, "crashed");
            b.patterns().flush();
            a.patterns().sync();
            assertThat(a.patterns().known("app")).extracting(PatternRecord::id).contains(worker);
        }
    }

    @Test
    void patternIdsSurviveARestart(@TempDir Path dir) {
        String id;
        try (LogPlatform first = LogPlatform.builder().dataDir(dir).backend("memory", Map.of()).build()) {
            first.indexSets().create("app", IndexSetSpec.defaults().withPatterns(PatternConfig.Spec.on()));
            ingest(first, "job 12 finished in 30 s");
            id = patternOf(first, "finished");
        } // close writes the last batch
        try (LogPlatform second = LogPlatform.builder().dataDir(dir).backend("memory", Map.of()).build()) {
            assertThat(second.patterns().known("app")).extracting(PatternRecord::id).containsExactly(id);
            ingest(second, "job 99 finished in 4 s");
            assertThat(patternOf(second, "finished")).isEqualTo(id);
        }
    }

    @Test
    void turningPatternsOnReminesStoredLinesAsATaskWithProgress() {
        try (LogPlatform p = LogPlatform.builder().build()) {
            p.indexSets().create("app", IndexSetSpec.defaults());
            ingest(p, "user 1 logged in", "user 2 logged in", "disk full on volume 3");
            assertThat(hits(p, "*")).allSatisfy(h -> assertThat(h.source()).doesNotContainKey("__pattern"));

            p.indexSets().update("app", IndexSetSpec.defaults().withPatterns(PatternConfig.Spec.on()));
            String taskId = p.internals().metadata().asyncTasks().listByKind(PatternService.REMINE_TASK, 10).get(0).id();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(p.scheduler().status(taskId))
                    .hasValueSatisfying(s -> assertThat(s.state()).isEqualTo(TaskStatus.State.DONE)));
            TaskStatus done = p.scheduler().status(taskId).orElseThrow();
            assertThat(done.progress()).isEqualTo(1.0);
            assertThat(done.result()).contains("re-mined 3 lines");
            p.internals().store().refresh("app");
            assertThat(hits(p, "*")).hasSize(3).allSatisfy(h -> assertThat(h.source()).containsKey("__pattern"));
            String login = patternOf(p, "logged");
            assertThat(hits(p, "__pattern:" + login)).hasSize(2);

            // changing how lines are mined re-mines again; an unrelated change does not
            p.indexSets().update("app", IndexSetSpec.defaults().withPatterns(
                    new PatternConfig.Spec(null, null, List.of("ip"), null)));
            assertThat(p.internals().metadata().asyncTasks().listByKind(PatternService.REMINE_TASK, 10)).hasSize(2);
            p.indexSets().update("app", new IndexSetSpec(null, null, 20, null, null, "described"));
            assertThat(p.internals().metadata().asyncTasks().listByKind(PatternService.REMINE_TASK, 10)).hasSize(2);
        }
    }
}
