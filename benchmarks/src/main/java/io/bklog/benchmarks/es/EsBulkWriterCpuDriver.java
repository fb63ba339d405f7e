package io.bklog.benchmarks.es;

import io.bklog.es.EsLogStore;
import io.bklog.spi.BulkResult;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogDocument;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 26: the CPU the Elasticsearch store's write side spends per document ({@code EsLogStore.index}: the sources
 * serialised, the NDJSON body, the bulk call, the answer read), without HTTP in front and without the sink: 1,000
 * documents shaped as the {@code _bulk} route makes them from the HDFS lines ({@code @timestamp}, {@code message},
 * {@code seq}, the time field) written from one thread into a running node, timed by the CPU of the calling thread
 * and of the whole process (the REST client's I/O thread included) and the bytes the calling thread allocated; the
 * node's CPU from {@code /proc} with {@code -Dbench.esPid}. Uses only public API, so the same class runs on an older
 * build's classpath for a before/after (alternate the builds).
 *
 * <p>Usage: {@code java -Des.url=URL [-Dbench.esPid=PID] -cp $CP io.bklog.benchmarks.es.EsBulkWriterCpuDriver
 * [docsPerRound=50000] [rounds=4]}; writes index set {@code bench_writer_cpu} and deletes its indices first.
 */
public final class EsBulkWriterCpuDriver {
    private EsBulkWriterCpuDriver() {}

    public static void main(String[] args) throws Exception {
        int perRound = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        String url = System.getProperty("es.url");
        if (url == null) throw new IllegalArgumentException("-Des.url=http://host:port is required");
        List<String> lines = EsSideBySide.hdfsLines();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        String set = "bench_writer_cpu";
        try (EsLogStore store = EsLogStore.builder().hosts(url).build()) {
            store.ensureIndexSet(IndexSetSchema.of(set, List.of(FieldSpec.of("log", FieldType.TEXT),
                    FieldSpec.of("message", FieldType.TEXT), FieldSpec.of("seq", FieldType.LONG),
                    FieldSpec.of("@timestamp", FieldType.DATE))));
            store.deleteIndices(store.listIndices(set).stream().map(i -> i.name()).toList());
            long seq = 0;
            for (int r = -1; r < rounds; r++) { // round -1 warms up
                List<List<LogDocument>> batches = new ArrayList<>();
                for (int b = 0; b < perRound / 1000; b++) {
                    List<LogDocument> batch = new ArrayList<>(1000);
                    for (int i = 0; i < 1000; i++, seq++) {
                        Instant t = EsSideBySide.DAY.plusMillis(seq * 10);
                        String line = lines.get((int) (seq % lines.size()));
                        Map<String, Object> f = new LinkedHashMap<>();
                        f.put("@timestamp", t.toEpochMilli());
                        f.put("message", line);
                        f.put("seq", seq);
                        f.put(IndexSetSchema.DEFAULT_TIME_FIELD, t.toEpochMilli());
                        f.put("log", line);
                        batch.add(LogDocument.withFreshId(java.util.UUID.randomUUID().toString(), t, f));
                    }
                    batches.add(batch);
                }
                long thread0 = threads.getCurrentThreadCpuTime();
                long alloc0 = ((com.sun.management.ThreadMXBean) threads).getThreadAllocatedBytes(
                        Thread.currentThread().getId());
                long process0 = os.getProcessCpuTime();
                long node0 = EsSideBySide.nodeCpuNanos();
                long wall0 = System.nanoTime();
                long notOk = 0;
                for (List<LogDocument> batch : batches) {
                    BulkResult res = store.index(set, batch);
                    notOk += res.items().stream().filter(i -> i.status() != BulkResult.Status.OK).count();
                }
                double wallMs = (System.nanoTime() - wall0) / 1e6 / batches.size();
                double threadUs = (threads.getCurrentThreadCpuTime() - thread0) / 1e3 / perRound;
                double allocKb = (((com.sun.management.ThreadMXBean) threads).getThreadAllocatedBytes(
                        Thread.currentThread().getId()) - alloc0) / 1024.0 / perRound;
                double processUs = (os.getProcessCpuTime() - process0) / 1e3 / perRound;
                long node1 = EsSideBySide.nodeCpuNanos();
                double nodeUs = node0 < 0 || node1 < 0 ? Double.NaN : (node1 - node0) / 1e3 / perRound;
                System.out.printf(Locale.ROOT, "round %d: writer thread %.2f µs CPU/doc, process %.2f µs CPU/doc,"
                        + " allocated %.2f KB/doc; node %.2f µs CPU/doc; %.1f ms per 1,000-document bulk; %d not"
                        + " stored; load %.1f%n", r, threadUs, processUs, allocKb, nodeUs, wallMs, notOk,
                        os.getSystemLoadAverage());
            }
            store.deleteIndices(store.listIndices(set).stream().map(i -> i.name()).toList());
        }
    }
}
