package io.bklog.server.ops;

import io.bklog.core.LogPlatform;
import io.bklog.core.indexset.IndexSetService;
import io.bklog.core.indexset.IndexSetSpec;
import io.bklog.core.ops.BackupManifest;
import io.bklog.core.ops.BackupService;
import io.bklog.core.ops.Operations;
import io.bklog.core.search.SearchParams;
import io.bklog.spi.LogDocument;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SearchResult;
import io.bklog.spi.query.Aggregation;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The backup drill shared by the backends: ingest a corpus, back up (full + incremental), wipe, restore into an
 * empty platform, and compare a fixed set of searches and aggregations with what they returned before.
 */
final class BackupDrill {
    /**
     * 02:00 UTC three days ago (the incremental day, BASE + 2 days, is yesterday): recent enough for every retention,
     * and each day's documents (at most 100 × 37 s) stay within one daily index whatever the hour the test runs at.
     */
    static final Instant BASE = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(3))
            .plus(Duration.ofHours(2));
    static final String[] SETS = {"drill_app", "drill_web"};

    private BackupDrill() {}

    static void createAndIngest(LogPlatform p, int days, int perDay) {
        for (String set : SETS) {
            p.indexSets().put(set, IndexSetSpec.withFields(IndexSetService.DEFAULT_FIELDS));
            List<LogDocument> docs = new ArrayList<>();
            for (int d = 0; d < days; d++) {
                for (int i = 0; i < perDay; i++) {
                    Instant t = BASE.plus(Duration.ofDays(d)).plusSeconds(37L * i);
                    String level = i % 7 == 0 ? "ERROR" : i % 3 == 0 ? "WARN" : "INFO";
                    docs.add(new LogDocument(set + "-" + d + "-" + i, t, Map.of(
                            "log", level + " request " + i + " took " + (i % 50) + "ms path=/api/v" + (i % 4),
                            "serverIp", "10.0.0." + (i % 5),
                            "path", "/var/log/" + set + ".log",
                            "gseIndex", (long) (d * 100_000 + i),
                            "iterationIndex", (long) (i % 3))));
                }
            }
            p.internals().store().index(set, docs);
            p.internals().store().refresh(set);
        }
    }

    /** Adds a day of documents (for the incremental backup). */
    static void ingestMore(LogPlatform p, int day, int perDay) {
        for (String set : SETS) {
            List<LogDocument> docs = new ArrayList<>();
            for (int i = 0; i < perDay; i++) {
                docs.add(new LogDocument(set + "-late-" + i, BASE.plus(Duration.ofDays(day)).plusSeconds(11L * i),
                        Map.of("log", "INFO late " + i, "serverIp", "10.0.0.9", "gseIndex", (long) i)));
            }
            p.internals().store().index(set, docs);
            p.internals().store().refresh(set);
        }
    }

    /** The fixed set of searches and aggregations, as comparable values. */
    static Map<String, Object> observe(LogPlatform p) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String set : SETS) {
            for (String keyword : List.of("*", "ERROR", "log:WARN AND serverIp:\"10.0.0.1\"", "took")) {
                var r = p.search().search(set, new SearchParams(keyword, null, "2000-01-01 00:00:00",
                        "2100-01-01 00:00:00", 0, 50, List.of(List.of("gseIndex", "asc")), null, null, null));
                out.put(set + " q=" + keyword + " total", r.total());
                out.put(set + " q=" + keyword + " ids", r.hits().stream().map(SearchResult.Hit::id).toList());
            }
            SearchResult aggs = p.internals().store().search(SearchRequest.builder(set).size(0)
                    .aggregation("ips", new Aggregation.Terms("serverIp", 10))
                    .aggregation("gse", new Aggregation.Stats("gseIndex"))
                    .aggregation("hours", Aggregation.DateHistogram.fixed("dtEventTimeStamp", Duration.ofHours(6)))
                    .build());
            out.put(set + " aggs total", aggs.total());
            out.put(set + " aggs", aggs.aggregations());
        }
        return out;
    }

    static BackupManifest fullThenIncremental(Operations ops, LogPlatform p) {
        BackupService b = ops.backups();
        b.full();
        ingestMore(p, 2, 40);
        return b.incremental();
    }
}
