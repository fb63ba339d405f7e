package io.bklog.benchmarks.lucene;

import io.bklog.lucene.LuceneLogStore;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.IndexInfo;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogDocument;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Bytes per document of the Lucene store alone after a force-merge, by file kind, on the documents of
 * {@link LuceneVsElasticsearchDriver} (no Elasticsearch needed: for trying storage changes quickly).
 * Args: {@code [docs=200000] [hdfsLog=bklog-core/.../HDFS_2k.log | interleaved]}; {@code interleaved}: the lines of
 * all eight LogHub samples under {@code bklog-core/src/test/resources/loghub} taken in turn (16,000 lines, about
 * 2 MB per cycle), a corpus where no compression window sees an exact copy of a line, as the HDFS sample cycled
 * every 260 KB lets a window larger than that.
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
            store.ensureIndexSet(IndexSetSchema.of("hdfs", List.of(FieldSpec.of("log", FieldType.TEXT),
                    FieldSpec.of("seq", FieldType.LONG))));
            for (int from = 0; from < docs; from += 5_000) {
                List<LogDocument> chunk = new ArrayList<>();
                for (int i = from; i < Math.min(docs, from + 5_000); i++) {
                    chunk.add(LuceneVsElasticsearchDriver.document(templates, i, docs));
                }
                if (!store.index("hdfs", chunk).allOk()) throw new IllegalStateException("not stored");
            }
            store.forceMerge("hdfs", 1);
            long bytes = store.listIndices("hdfs").stream().mapToLong(IndexInfo::sizeBytes).sum();
            System.out.printf(Locale.ROOT, "lucene-bytes: docs=%d bytes/doc=%.1f by file kind %s%n", docs,
                    (double) bytes / docs, LuceneVsElasticsearchDriver.fileKinds(store, docs));
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
}
