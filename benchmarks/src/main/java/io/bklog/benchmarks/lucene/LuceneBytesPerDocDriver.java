package io.bklog.benchmarks.lucene;

import io.bklog.lucene.LuceneLogStore;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.IndexInfo;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogDocument;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SearchResult;
import io.bklog.spi.query.Query;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Bytes per document of the Lucene store alone after a force-merge, by file kind, on the documents of
 * {@link LuceneVsElasticsearchDriver} (no Elasticsearch needed: for trying storage changes quickly).
 * Args: {@code [docs=200000] [hdfsLog=bklog-core/.../HDFS_2k.log | interleaved]}; {@code interleaved}: the lines of
 * all eight LogHub samples under {@code bklog-core/src/test/resources/loghub} taken in turn (16,000 lines, about
 * 2 MB per cycle), a corpus where no compression window sees an exact copy of a line, as the HDFS sample cycled
 * every 260 KB lets a window larger than that.
 * {@code -Dbench.messageCopy=true}: each document
 * also has a text field {@code message} holding its line, placed before {@code log} (a shipper's {@code _bulk}
 * document as the platform stores it: {@code log} a copy of {@code message}). {@code -Dbench.searches=N} (default 0):
 * then N searches on {@code log} of the merged index (a term, a phrase and a wildcard in turn, each a page of 10
 * newest first, with the exact total), printing their latency percentiles and the searching thread's CPU time.
 */
public final class LuceneBytesPerDocDriver {
    private LuceneBytesPerDocDriver() {}

    public static void main(String[] args) throws Exception {
        int docs = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        String log = args.length > 1 ? args[1] : "bklog-core/src/test/resources/loghub/HDFS/HDFS_2k.log";
        List<String> templates = log.equals("interleaved") ? interleaved(Path.of("bklog-core/src/test/resources/loghub"))
                : Files.readAllLines(Path.of(log), StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList();
        Path dir = Files.createTempDirectory("bench-lucene-bytes");
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).build()) {
            boolean messageCopy = Boolean.getBoolean("bench.messageCopy");
            List<FieldSpec> fields = new ArrayList<>(List.of(FieldSpec.of("log", FieldType.TEXT),
                    FieldSpec.of("seq", FieldType.LONG)));
            if (messageCopy) fields.add(FieldSpec.of("message", FieldType.TEXT));
            store.ensureIndexSet(IndexSetSchema.of("hdfs", fields));
            for (int from = 0; from < docs; from += 5_000) {
                List<LogDocument> chunk = new ArrayList<>();
                for (int i = from; i < Math.min(docs, from + 5_000); i++) {
                    LogDocument d = LuceneVsElasticsearchDriver.document(templates, i, docs);
                    if (messageCopy) {
                        Map<String, Object> f = new LinkedHashMap<>();
                        f.put("message", d.fields().get("log"));
                        f.putAll(d.fields());
                        d = new LogDocument(d.id(), d.timestamp(), f);
                    }
                    chunk.add(d);
                }
                if (!store.index("hdfs", chunk).allOk()) throw new IllegalStateException("not stored");
            }
            store.forceMerge("hdfs", 1);
            long bytes = store.listIndices("hdfs").stream().mapToLong(IndexInfo::sizeBytes).sum();
            System.out.printf(Locale.ROOT, "lucene-bytes: docs=%d bytes/doc=%.1f by file kind %s%n", docs,
                    (double) bytes / docs, LuceneVsElasticsearchDriver.fileKinds(store, docs));
            int searches = Integer.getInteger("bench.searches", 0);
            if (searches > 0) searchLog(store, searches);
        } finally {
            LuceneIngestVsIndexWriterBenchmark.deleteRecursively(dir);
        }
    }

    /** The lines of every {@code *_2k.log} under {@code root}, one of each file in turn (files in name order). */
    static List<String> interleaved(Path root) throws java.io.IOException {
        List<List<String>> files = new ArrayList<>();
        try (var paths = Files.walk(root)) {
            for (Path p : paths.filter(f -> f.getFileName().toString().endsWith("_2k.log")).sorted().toList()) {
                files.add(Files.readAllLines(p, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList());
            }
        }
        List<String> out = new ArrayList<>();
        int longest = files.stream().mapToInt(List::size).max().orElse(0);
        for (int i = 0; i < longest; i++) {
            for (List<String> f : files) {
                if (i < f.size()) out.add(f.get(i));
            }
        }
        return out;
    }

    private static void searchLog(LuceneLogStore store, int n) {
        List<Query> queries = List.of(new Query.Term("log", "PacketResponder"),
                new Query.Phrase("log", "received block"), new Query.Wildcard("log", "Packet*"));
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        for (int round = 0; round < 2; round++) { // the first round warms up
            long[] micros = new long[n];
            long hits = 0;
            long cpu0 = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                SearchResult r = store.search(SearchRequest.builder("hdfs").query(queries.get(i % queries.size()))
                        .size(10).build());
                micros[i] = (System.nanoTime() - t0) / 1_000;
                hits += r.total();
            }
            long cpu = mx.getCurrentThreadCpuTime() - cpu0;
            if (round == 0) continue;
            Arrays.sort(micros);
            System.out.printf(Locale.ROOT, "lucene-log-search: searches=%d p50=%.2fms p90=%.2fms cpu/search=%.2fms"
                    + " totalHits=%d%n", n, micros[n / 2] / 1000.0, micros[n * 9 / 10] / 1000.0, cpu / 1e6 / n, hits);
        }
    }
}
