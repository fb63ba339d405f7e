package io.bklog.benchmarks.es;

import io.bklog.core.LogPlatform;
import io.bklog.core.indexset.IndexSetSpec;
import io.bklog.core.ingest.source.EsBulkService;
import io.bklog.core.ingest.source.EsIndexMapping;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;

/**
 * Issue 26: the CPU the {@code _bulk} route itself spends per document, without HTTP and without a durable store:
 * the same bodies as {@link EmbeddedVsElasticsearchDriver} (HDFS lines, {@code @timestamp}, {@code seq}, 1,000 items)
 * through {@link EsBulkService#bulk} into the memory store, timed by the CPU time of the calling thread (parsing the
 * body, reading each source, making the documents, the answer; the sink's writer and the memory store run on their
 * own threads and are not counted) and of the whole process, and the bytes the calling thread allocated. Uses only public API, so the same class runs on an
 * older build's classpath ({@code -cp benchmarks/target/classes:<older build>}) for a before/after: run both builds
 * one after the other, alternating, and compare the µs per document.
 *
 * <p>Usage: {@code java -cp $CP io.bklog.benchmarks.es.BulkRouteCpuDriver [docsPerRound=100000] [rounds=5]}.
 */
public final class BulkRouteCpuDriver {
    private BulkRouteCpuDriver() {}

    private static long allocated(ThreadMXBean threads) {
        return ((com.sun.management.ThreadMXBean) threads).getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    public static void main(String[] args) throws Exception {
        int perRound = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        List<String> lines = EsSideBySide.hdfsLines();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (LogPlatform p = LogPlatform.builder().build()) {
            p.indexSets().put("hdfs", IndexSetSpec.withFields(List.of(FieldSpec.of("message", FieldType.TEXT),
                    FieldSpec.of("seq", FieldType.LONG), FieldSpec.of("@timestamp", FieldType.DATE))));
            EsBulkService bulk = new EsBulkService(p.indexSets(), p.ingest(), p.pipeline(), EsIndexMapping.none());
            long seq = 0;
            for (int r = -1; r < rounds; r++) { // round -1 warms up
                List<String> bodies = EsSideBySide.bulkBodies(lines, "hdfs", seq, perRound, 1000);
                seq += perRound;
                long thread0 = threads.getCurrentThreadCpuTime();
                long alloc0 = allocated(threads);
                long process0 = os.getProcessCpuTime();
                long wall0 = System.nanoTime();
                int errors = 0;
                for (String body : bodies) {
                    if (bulk.bulk(body, null, false, s -> true).errors()) errors++;
                }
                double threadUs = (threads.getCurrentThreadCpuTime() - thread0) / 1e3 / perRound;
                double allocKb = (allocated(threads) - alloc0) / 1024.0 / perRound;
                double processUs = (os.getProcessCpuTime() - process0) / 1e3 / perRound;
                double wallUs = (System.nanoTime() - wall0) / 1e3 / perRound;
                System.out.printf("round %d: route thread %.2f µs CPU/doc, process %.2f µs CPU/doc, wall %.2f µs/doc,"
                        + " route thread allocated %.2f KB/doc, %d requests with errors; load %.1f%n", r, threadUs,
                        processUs, wallUs, allocKb, errors, os.getSystemLoadAverage());
            }
        }
    }
}
