package io.bklog.lucene;

import io.bklog.spi.BulkResult;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogDocument;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Child JVM of {@link LuceneLogStoreCrashIT}: ingests batches forever on {@link #THREADS} threads at once and prints {@code ACK <round> <batch>} once a
 * batch is acknowledged, until it is killed.
 * Args: dataDir round batchSize commitIntervalMillis (0 = commit every batch instead of the write-ahead log).
 */
public final class CrashIngestChild {
    static final IndexSetSchema SCHEMA = IndexSetSchema.of("crash", List.of(
            FieldSpec.of("docId", FieldType.KEYWORD), FieldSpec.of("log", FieldType.TEXT)));

    /** writer threads calling {@code index} at once */
    static final int THREADS = 3;

    private CrashIngestChild() {}

    static String id(int round, int batch, int i) {
        return "r" + round + "-b" + batch + "-" + i;
    }

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        int round = Integer.parseInt(args[1]);
        int batchSize = Integer.parseInt(args[2]);
        long commitMillis = Long.parseLong(args[3]);
        CommitPolicy policy = commitMillis == 0 ? CommitPolicy.commitEveryBatch()
                : CommitPolicy.writeAheadLog(Duration.ofMillis(commitMillis));
        LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).commitPolicy(policy).build();
        store.ensureIndexSet(SCHEMA);
        System.out.println("READY");
        System.out.flush();
        Instant base = Instant.parse("2024-05-01T23:59:00Z");
        // several threads at once, as the ingest pipeline's writers call it: acknowledged must be durable for each
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        for (int t = 0; t < THREADS; t++) {
            Thread writer = new Thread(() -> {
                while (true) {
                    int batch = next.getAndIncrement();
                    List<LogDocument> docs = new ArrayList<>(batchSize);
                    for (int i = 0; i < batchSize; i++) {
                        String id = id(round, batch, i);
                        // spread over two days so two daily indices are written
                        // even batches carry fresh ids (appended without an id lookup), odd ones replace by id;
                        // the replay after the kill must store both once
                        Instant at = base.plusMillis((batch * 997L + i * 13L) % 120_000);
                        Map<String, Object> fields = Map.of("docId", id, "log", "crash test line " + i + " of batch " + batch);
                        docs.add(batch % 2 == 0 ? LogDocument.withFreshId(id, at, fields) : new LogDocument(id, at, fields));
                    }
                    BulkResult r = store.index("crash", docs);
                    synchronized (System.out) {
                        System.out.println(r.allOk() ? "ACK " + round + " " + batch : "FAILED " + r);
                        System.out.flush();
                    }
                }
            }, "crash-writer-" + t);
            writer.start();
        }
    }
}
