package io.bklog.benchmarks.lucene;

import io.bklog.lucene.LuceneLogStore;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogDocument;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.query.Aggregation;
import io.bklog.spi.query.Query;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The cost of many small index sets on the embedded store: index sets are added in steps up to {@code maxSets}, each
 * with {@code days} daily indices of {@code docsPerDay} documents (bklog keeps one index set per collector and a
 * daily index for 7–30 days). After each step it prints the open files of this process, its RSS, the heap used after
 * a GC, the indices open, and p50/p99 of a search of one set over all its days (newest 50 + a daily histogram) —
 * first when its indices are closed (cold: they open on demand), then warm.
 * Args: {@code [maxSets=5000] [days=30] [docsPerDay=10] [step=500] [searches=50]}; run with {@code -Xmx1g}.
 */
public final class ManyIndexSetsDriver {
    private static final Instant START = Instant.parse("2024-03-01T00:00:00Z");

    private ManyIndexSetsDriver() {}

    public static void main(String[] args) throws Exception {
        int maxSets = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
        int days = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        int docsPerDay = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int step = args.length > 3 ? Integer.parseInt(args[3]) : 500;
        int searches = args.length > 4 ? Integer.parseInt(args[4]) : 50;
        Path dir = Files.createTempDirectory("bench-many-sets");
        // a short idle time, so the step's writes are closed by the time it is measured
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).indexIdleAfter(Duration.ofSeconds(2))
                .build()) {
            long t0 = System.nanoTime();
            for (int made = 0; made < maxSets; ) {
                int upTo = Math.min(maxSets, made + step);
                for (int s = made; s < upTo; s++) {
                    String set = "c" + s;
                    store.ensureIndexSet(IndexSetSchema.of(set, List.of(FieldSpec.of("log", FieldType.TEXT),
                            FieldSpec.of("level", FieldType.KEYWORD))));
                    List<LogDocument> docs = new ArrayList<>(days * docsPerDay);
                    for (int d = 0; d < days; d++) {
                        for (int i = 0; i < docsPerDay; i++) {
                            docs.add(new LogDocument(set + "-" + d + "-" + i,
                                    START.plus(Duration.ofDays(d)).plusSeconds(i * 60L),
                                    Map.of("log", "collector " + s + " day " + d + " line " + i + " ok",
                                            "level", i % 5 == 0 ? "ERROR" : "INFO")));
                        }
                    }
                    if (!store.index(set, docs).allOk()) throw new IllegalStateException("not stored: " + set);
                }
                made = upTo;
                long waitUntil = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (store.openIndexCount() > 0 && System.nanoTime() < waitUntil) Thread.sleep(200);
                report(store, made, days, searches, (System.nanoTime() - t0) / 1e9);
            }
        } finally {
            LuceneIngestVsIndexWriterBenchmark.deleteRecursively(dir);
        }
    }

    private static void report(LuceneLogStore store, int sets, int days, int searches, double secs) throws Exception {
        int openBefore = store.openIndexCount();
        long files = openFiles();
        long rss = rssKb();
        System.gc();
        Runtime rt = Runtime.getRuntime();
        long heapMb = (rt.totalMemory() - rt.freeMemory()) >> 20;
        String set = "c" + (sets / 2);
        SearchRequest req = SearchRequest.builder(set).query(new Query.Term("log", "ok"))
                .timeRange(START, START.plus(Duration.ofDays(days))).size(50)
                .aggregation("per_day", Aggregation.DateHistogram.fixed(IndexSetSchema.DEFAULT_TIME_FIELD,
                        Duration.ofDays(1))).build();
        long cold0 = System.nanoTime();
        long hits = store.search(req).total();
        double coldMs = (System.nanoTime() - cold0) / 1e6;
        long[] warm = new long[searches];
        for (int i = 0; i < searches; i++) {
            long t = System.nanoTime();
            store.search(req);
            warm[i] = System.nanoTime() - t;
        }
        Arrays.sort(warm);
        System.out.printf(Locale.ROOT, "many-sets: sets=%d indices=%d open-indices=%d open-files=%d rss=%d MiB"
                        + " heap-after-gc=%d MiB (max %d) search of one set: hits=%d cold=%.1f ms warm p50=%.1f"
                        + " p99=%.1f ms; built in %.0f s; load=%.1f%n", sets, sets * days, openBefore, files,
                rss >> 10, heapMb, rt.maxMemory() >> 20, hits, coldMs, warm[searches / 2] / 1e6,
                warm[Math.min(searches - 1, (int) Math.ceil(searches * 0.99) - 1)] / 1e6, secs,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private static long openFiles() throws Exception {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    private static long rssKb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
        return -1;
    }
}
