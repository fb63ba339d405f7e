package io.bklog.benchmarks.lucene;

import io.bklog.lucene.LuceneLogStore;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.IndexNames;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogDocument;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.query.Aggregation;
import io.bklog.spi.query.Query;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The cost of many small index sets on the embedded store (bklog keeps one index set per collector and a daily index
 * for 7–30 days): index sets of {@code days} daily indices with {@code docsPerDay} documents each, grown in steps.
 *
 * <p>The first {@code built} sets are written through the store ({@code ensureIndexSet} + {@code index}), and the
 * driver prints how fast it creates indices (each is created, written, and committed as it closes when idle). Past
 * those, each step's new sets are copies of the built ones' closed index directories and mappings under new names
 * (the store closed meanwhile), so the count reaches thousands of sets in minutes rather than hours; the documents of
 * a copy are those of its template. After each step the store is opened again (timed) and the driver prints its open
 * files, RSS, heap after a GC, and one set's search over all its days (newest 50 + a daily histogram, after one
 * search of another set so the JVM has run the search code): first when none of its indices is open, then warm
 * p50/p99; then it searches {@code spread} other sets (so at most
 * {@code maxOpenIndices} readers stay open) and prints files, RSS and heap again.
 * Args: {@code [steps=100,500,1000,2000,5000] [days=30] [docsPerDay=10] [built=50] [searches=50] [spread=50]};
 * run with {@code -Xmx1g}.
 */
public final class ManyIndexSetsDriver {
    private static final Instant START = Instant.parse("2024-03-01T00:00:00Z");

    private ManyIndexSetsDriver() {}

    public static void main(String[] args) throws Exception {
        int[] steps = Arrays.stream((args.length > 0 ? args[0] : "100,500,1000,2000,5000").split(","))
                .mapToInt(Integer::parseInt).toArray();
        int days = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        int docsPerDay = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int built = Math.min(steps[0], args.length > 3 ? Integer.parseInt(args[3]) : 50);
        int searches = args.length > 4 ? Integer.parseInt(args[4]) : 50;
        int spread = args.length > 5 ? Integer.parseInt(args[5]) : 50;
        Path dir = Files.createTempDirectory("bench-many-sets");
        try {
            build(dir, built, days, docsPerDay);
            int made = built;
            for (int target : steps) {
                long c0 = System.nanoTime();
                for (int s = made; s < target; s++) copySet(dir, s % built, s, days);
                double copySecs = (System.nanoTime() - c0) / 1e9;
                made = Math.max(made, target);
                long o0 = System.nanoTime();
                try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).build()) {
                    double openSecs = (System.nanoTime() - o0) / 1e9;
                    report(store, made, days, searches, spread, openSecs, copySecs);
                }
            }
        } finally {
            LuceneIngestVsIndexWriterBenchmark.deleteRecursively(dir);
        }
    }

    /** Writes {@code sets} index sets through the store and prints how fast it created their indices. */
    private static void build(Path dir, int sets, int days, int docsPerDay) throws Exception {
        long t0 = System.nanoTime();
        // a short idle time: each index is committed and closed as soon as the set is written
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).indexIdleAfter(Duration.ofSeconds(1))
                .build()) {
            for (int s = 0; s < sets; s++) {
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
            double written = (System.nanoTime() - t0) / 1e9;
            while (store.openIndexCount() > 0) Thread.sleep(100);
            double secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "many-sets: built %d sets x %d days through the store: %d indices"
                            + " written in %.1f s, all committed and closed after %.1f s = %.1f indices/s; load=%.1f%n",
                    sets, days, sets * days, written, secs, sets * days / secs, load());
        }
    }

    /** Copies the closed indices and the mapping of set {@code c<from>} as set {@code c<to>}. */
    private static void copySet(Path dir, int from, int to, int days) throws Exception {
        String src = "c" + from;
        String dst = "c" + to;
        String mapping = Files.readString(dir.resolve("indexsets").resolve(src + ".json"), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("indexsets").resolve(dst + ".json"),
                mapping.replace("\"" + src + "\"", "\"" + dst + "\""), StandardCharsets.UTF_8);
        LocalDate first = LocalDate.ofInstant(START, ZoneOffset.UTC);
        for (int d = 0; d < days; d++) {
            Path from0 = dir.resolve("indices").resolve(IndexNames.daily(src, first.plusDays(d), 0));
            Path to0 = Files.createDirectories(dir.resolve("indices").resolve(IndexNames.daily(dst, first.plusDays(d), 0)));
            try (Stream<Path> files = Files.list(from0)) {
                for (Path f : files.toList()) Files.copy(f, to0.resolve(f.getFileName()));
            }
        }
    }

    private static SearchRequest searchOf(String set, int days) {
        return SearchRequest.builder(set).query(new Query.Term("log", "ok"))
                .timeRange(START, START.plus(Duration.ofDays(days))).size(50)
                .aggregation("per_day", Aggregation.DateHistogram.fixed(IndexSetSchema.DEFAULT_TIME_FIELD,
                        Duration.ofDays(1))).build();
    }

    private static void report(LuceneLogStore store, int sets, int days, int searches, int spread, double openSecs,
                               double copySecs) throws Exception {
        long files = openFiles();
        long rss = rssKb();
        long heapMb = heapAfterGcMb();
        store.search(searchOf("c0", days)); // the search code's first run in this JVM (class loading, JIT)
        SearchRequest req = searchOf("c" + (sets - 1), days); // a set no search has opened yet
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
        // other sets, each first searched with its indices closed, so readers pile up to the most-open limit
        long[] firsts = new long[spread];
        for (int i = 0; i < spread; i++) {
            long t = System.nanoTime();
            store.search(searchOf("c" + (1 + (long) i * 7919 % (sets - 2)), days));
            firsts[i] = System.nanoTime() - t;
        }
        Arrays.sort(firsts);
        int openAfter = store.openIndexCount();
        long filesAfter = openFiles();
        long rssAfter = rssKb();
        long heapAfter = heapAfterGcMb();
        System.out.printf(Locale.ROOT, "many-sets: sets=%d indices=%d store opened in %.1f s (copies %.0f s);"
                        + " idle: open-files=%d rss=%d MiB heap-after-gc=%d MiB; one set: hits=%d first=%.1f ms"
                        + " warm p50=%.1f p99=%.1f ms; %d other sets: first p50=%.1f p99=%.1f ms, then open-indices=%d"
                        + " open-files=%d rss=%d MiB heap-after-gc=%d MiB (max %d); load=%.1f%n",
                sets, sets * days, openSecs, copySecs, files, rss >> 10, heapMb, hits, coldMs, pct(warm, 0.5),
                pct(warm, 0.99), spread, pct(firsts, 0.5), pct(firsts, 0.99), openAfter, filesAfter, rssAfter >> 10,
                heapAfter, Runtime.getRuntime().maxMemory() >> 20, load());
    }

    private static double pct(long[] sortedNanos, double p) {
        if (sortedNanos.length == 0) return Double.NaN;
        int i = Math.min(sortedNanos.length - 1, Math.max(0, (int) Math.ceil(sortedNanos.length * p) - 1));
        return sortedNanos[i] / 1e6;
    }

    private static long heapAfterGcMb() {
        System.gc();
        Runtime rt = Runtime.getRuntime();
        return (rt.totalMemory() - rt.freeMemory()) >> 20;
    }

    private static double load() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
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
