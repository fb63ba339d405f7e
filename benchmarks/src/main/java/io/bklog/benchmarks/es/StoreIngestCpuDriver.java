package io.bklog.benchmarks.es;

import io.bklog.lucene.LuceneLogStore;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogDocument;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Issue 26, the store's share of the embedded server's ingest: the HDFS documents of
 * {@link EmbeddedVsElasticsearchDriver} (message text, seq long, @timestamp 10 ms apart) indexed straight into a
 * {@link LuceneLogStore} with its write-ahead log, in 1,000-document batches on {@code threads} threads, then the
 * store closed; prints the process CPU seconds per 100 k documents for each mode, modes alternating:
 * {@code replace} (ids written with a delete by id, as every id was before) or {@code append} (fresh ids), each with
 * only the store's own commits ({@code -log}; the build measured in docs/benchmarks.md committed there on log size or
 * idleness, the store now commits every {@code commit.interval}) or with an extra {@code commit()} every 30 s
 * ({@code -30s}). CPU time, not docs/s: it is what a shared machine distorts least.
 *
 * <p>Usage: {@code java -Xmx1g -cp $CP io.bklog.benchmarks.es.StoreIngestCpuDriver [docs=400000] [reps=2]
 * [threads=1] [modes=replace-30s,append-log]}.
 */
public final class StoreIngestCpuDriver {
    private StoreIngestCpuDriver() {}

    public static void main(String[] args) throws Exception {
        int docs = args.length > 0 ? Integer.parseInt(args[0]) : 400_000;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        String[] modes = (args.length > 3 ? args[3] : "replace-30s,append-log").split(",");
        List<String> lines = EsSideBySide.hdfsLines();
        run("warm-up", lines, 100_000, threads);
        Map<String, List<Double>> cpu = new LinkedHashMap<>();
        for (int r = 0; r < reps; r++) {
            for (String m : modes) {
                double[] res = run(m, lines, docs, threads);
                cpu.computeIfAbsent(m, k -> new ArrayList<>()).add(res[0]);
                System.out.printf(Locale.ROOT, "%s rep %d: %.2f CPU-s per 100k docs, %.0f docs/s, load %.1f%n", m, r,
                        res[0], res[1], ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            }
        }
        double base = cpu.values().iterator().next().stream().mapToDouble(Double::doubleValue).min().orElse(1);
        for (Map.Entry<String, List<Double>> e : cpu.entrySet()) {
            double best = e.getValue().stream().mapToDouble(Double::doubleValue).min().orElse(0);
            System.out.printf(Locale.ROOT, "%s: CPU-s per 100k docs %s, best %.2f = %.2f x %s%n", e.getKey(),
                    e.getValue(), best, best / base, modes[0]);
        }
    }

    private static double[] run(String mode, List<String> lines, int n, int threads) throws Exception {
        Path dir = Files.createTempDirectory("bklog-store-cpu");
        boolean append = mode.startsWith("append");
        boolean every30s = mode.endsWith("-30s");
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        Instant day = Instant.parse("2024-06-01T00:00:00Z");
        long cpu0;
        long t0;
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).build()) {
            store.ensureIndexSet(new IndexSetSchema("hdfs", "@timestamp", List.of(FieldSpec.of("message",
                    FieldType.TEXT), FieldSpec.of("seq", FieldType.LONG)), 1, 0, 0));
            AtomicInteger next = new AtomicInteger();
            cpu0 = os.getProcessCpuTime();
            t0 = System.nanoTime();
            Thread committer = new Thread(() -> {
                try {
                    while (true) {
                        Thread.sleep(30_000);
                        store.commit();
                    }
                } catch (InterruptedException done) {
                    // end of the run
                }
            });
            if (every30s) committer.start();
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread th = new Thread(() -> {
                    for (int b = next.getAndIncrement(); b * 1000 < n; b = next.getAndIncrement()) {
                        List<LogDocument> batch = new ArrayList<>(1000);
                        for (int i = b * 1000; i < Math.min(n, b * 1000 + 1000); i++) {
                            Map<String, Object> f = new LinkedHashMap<>();
                            f.put("message", lines.get(i % lines.size()));
                            f.put("seq", (long) i);
                            String id = String.format(Locale.ROOT, "%016x%016x", 0x5eedL, (long) i);
                            Instant at = day.plusMillis(i * 10L);
                            batch.add(append ? LogDocument.withFreshId(id, at, f) : new LogDocument(id, at, f));
                        }
                        if (!store.index("hdfs", batch).allOk()) throw new IllegalStateException("not all stored");
                    }
                });
                th.start();
                ts.add(th);
            }
            for (Thread th : ts) th.join();
            committer.interrupt();
            committer.join();
        }
        double cpuS = (os.getProcessCpuTime() - cpu0) / 1e9;
        double wall = (System.nanoTime() - t0) / 1e9;
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        return new double[] {cpuS * 100_000 / n, n / wall};
    }
}
