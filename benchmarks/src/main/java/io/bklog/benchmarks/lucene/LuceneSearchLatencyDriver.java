package io.bklog.benchmarks.lucene;

import io.bklog.lucene.LuceneLogStore;
import io.bklog.spi.BulkResult;
import io.bklog.spi.IndexInfo;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SearchResult;
import io.bklog.spi.query.Aggregation;
import io.bklog.spi.query.Query;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Search latency of {@link LuceneLogStore} at scale: ingests {@code docs} documents spread over 24 h into one
 * store, then runs each query {@code queries} times with a 24 h auto date histogram (30 min buckets) and the first
 * 50 hits sorted by time, printing p50/p99 and the heap used.
 * System properties: {@code bench.ramBufferMb} (indexing buffer while building), {@code bench.interval} (a fixed
 * histogram interval, ISO-8601), {@code bench.only} (one query's label).
 * Args: {@code [docs=1000000] [queries=200] [ingestThreads=2] [dataDir=temp]}; a given dataDir is kept, and a
 * second run on it skips the ingest when it already holds {@code docs} documents.
 */
public final class LuceneSearchLatencyDriver {
    /** {@code -Dbench.interval=PT30S}: a fixed histogram interval instead of the auto 30 min buckets. */
    private static final Duration INTERVAL = System.getProperty("bench.interval") == null ? null
            : Duration.parse(System.getProperty("bench.interval"));
    /** {@code -Dbench.only=*}: run only the query with this label. */
    private static final String ONLY = System.getProperty("bench.only");

    private LuceneSearchLatencyDriver() {}

    public static void main(String[] args) throws Exception {
        int docs = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int queries = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        Path dir = args.length > 3 ? Path.of(args[3]) : Files.createTempDirectory("bench-search");
        Instant from = LogCorpus.START;
        Instant to = from.plus(Duration.ofHours(24));
        // a larger indexing buffer (-Dbench.ramBufferMb) makes fewer, larger segments when building a big index
        double ramBufferMb = Double.parseDouble(System.getProperty("bench.ramBufferMb", "32"));
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).ramBufferMb(ramBufferMb)
                .indexingThreads(Math.max(1, threads)).build()) {
            store.ensureIndexSet(LogCorpus.SCHEMA);
            store.refresh(LogCorpus.SET);
            long present = store.listIndices(LogCorpus.SET).stream().mapToLong(IndexInfo::docCount).sum();
            if (present < docs) {
                ingest(store, docs, threads);
                store.refresh(LogCorpus.SET);
            }
            long stored = store.listIndices(LogCorpus.SET).stream().mapToLong(IndexInfo::docCount).sum();
            long bytes = store.listIndices(LogCorpus.SET).stream().mapToLong(IndexInfo::sizeBytes).sum();
            System.out.printf(Locale.ROOT, "search-latency: docs=%d index-bytes=%d (%.1f bytes/doc)%n", stored, bytes,
                    (double) bytes / Math.max(1, stored));

            // level:ERROR AND "connection refused"
            Query errors = Query.Bool.and(List.of(new Query.Term("level", "ERROR"),
                    new Query.Phrase(null, "connection refused")));
            // status:>=500 AND host:web-1*
            Query status = Query.Bool.and(List.of(Query.Range.atLeast("status", "500"),
                    new Query.Wildcard("host", "web-1*")));
            // the four shapes of issue 26: a term, a phrase, a field range and everything
            run(store, "level:ERROR", new Query.Term("level", "ERROR"), from, to, queries);
            run(store, "\"connection refused\"", new Query.Phrase(null, "connection refused"), from, to, queries);
            run(store, "status:>=500", Query.Range.atLeast("status", "500"), from, to, queries);
            run(store, "level:ERROR AND \"connection refused\"", errors, from, to, queries);
            run(store, "status:>=500 AND host:web-1*", status, from, to, queries);
            run(store, "*", Query.matchAll(), from, to, queries);
            System.gc();
            Runtime rt = Runtime.getRuntime();
            System.out.printf(Locale.ROOT, "search-latency: heap-used-after-gc=%d MiB (max %d MiB)%n",
                    (rt.totalMemory() - rt.freeMemory()) >> 20, rt.maxMemory() >> 20);
        } finally {
            if (args.length <= 3) LuceneIngestVsIndexWriterBenchmark.deleteRecursively(dir);
        }
    }

    private static void ingest(LuceneLogStore store, int docs, int threads) throws Exception {
        int batch = 5_000;
        long t0 = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> new Thread(r, "bench-ingest"));
        List<Future<?>> futures = new ArrayList<>();
        for (int from = 0; from < docs; from += batch) {
            int start = from;
            int n = Math.min(batch, docs - from);
            futures.add(pool.submit(() -> {
                BulkResult r = store.index(LogCorpus.SET, LogCorpus.documents("d", start, n, 86_400_000L - 1, docs));
                if (!r.allOk()) throw new IllegalStateException("not stored: " + r.items().get(0));
                return null;
            }));
        }
        for (Future<?> f : futures) f.get();
        pool.shutdown();
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "search-latency: ingested %d docs in %.1f s (%.0f docs/s, %d threads)%n", docs,
                secs, docs / secs, threads);
    }

    private static void run(LuceneLogStore store, String label, Query q, Instant from, Instant to, int n) {
        if (ONLY != null && !ONLY.equals(label)) return;
        SearchRequest req = SearchRequest.builder(LogCorpus.SET).query(q).timeRange(from, to).size(50)
                .aggregation("histogram", INTERVAL == null ? Aggregation.DateHistogram.auto("dtEventTimeStamp", 60)
                        : Aggregation.DateHistogram.fixed("dtEventTimeStamp", INTERVAL)).build();
        for (int i = 0; i < Math.min(20, n); i++) store.search(req); // warm-up
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long[] nanos = new long[n];
        long[] cpu = new long[n];
        long total = 0;
        for (int i = 0; i < n; i++) {
            long c0 = mx.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            SearchResult r = store.search(req);
            nanos[i] = System.nanoTime() - t0;
            cpu[i] = mx.getCurrentThreadCpuTime() - c0;
            total = r.total();
        }
        Arrays.sort(nanos);
        Arrays.sort(cpu);
        int p99 = Math.min(n - 1, (int) Math.ceil(n * 0.99) - 1);
        // CPU time of the searching thread is what the query costs when the machine is not shared
        System.out.printf(Locale.ROOT, "search-latency: query=[%s] hits=%d p50=%.1f ms p99=%.1f ms"
                        + " (cpu p50=%.1f ms p99=%.1f ms)%n", label, total, nanos[n / 2] / 1e6, nanos[p99] / 1e6,
                cpu[n / 2] / 1e6, cpu[p99] / 1e6);
    }
}
