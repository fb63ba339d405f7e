package io.bklog.benchmarks.es;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Bytes per document over Elasticsearch (issue 24): the same HDFS lines ({@code @timestamp}, {@code message},
 * {@code seq}) written through the bklog server with {@code store.backend: elasticsearch} over HTTP {@code _bulk}
 * (index set auto-created by {@code _bulk}, as a new user would) and directly to the same node into an index with a
 * plain explicit mapping ({@code @timestamp: date, message: text, seq: long}, 1 shard, 0 replicas, default codec);
 * both force-merged to one segment; prints each side's store size per document, the ratio, and the per-field disk
 * usage of both ({@code _disk_usage}), largest first. Size is deterministic, so a busy machine does not change it.
 *
 * <p>Usage: {@code java -cp $CP io.bklog.benchmarks.es.EsBytesPerDocDriver [docs=200000] [batch=1000]}, from the
 * repository root; {@code -Des.url=...} to use a running node, else the bklog-es test fixture's node is started
 * from {@code -Des.dist.dir} (default {@code bklog-es/target/es-dist/elasticsearch-8.19.21}).
 */
public final class EsBytesPerDocDriver {
    private static final String DIRECT = "hdfs-direct";
    private static final String BKLOG = "hdfsbytes";

    private EsBytesPerDocDriver() {}

    public static void main(String[] args) throws Exception {
        int docs = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        List<String> lines = EsSideBySide.hdfsLines();
        try (EsSideBySide s = new EsSideBySide()) {
            s.startFresh(DIRECT, BKLOG);
            for (String body : EsSideBySide.bulkBodies(lines, DIRECT, 0, docs, batch)) s.bulk(s.esUrl, body);
            for (String body : EsSideBySide.bulkBodies(lines, BKLOG, 0, docs, batch)) s.bulk(s.serverUrl, body);
            String bklogIndices = "v2_" + BKLOG + "_*";
            double direct = bytesPerDoc(s, DIRECT, docs);
            double bklog = bytesPerDoc(s, bklogIndices, docs);
            System.out.printf(Locale.ROOT, "direct (plain mapping): %.1f bytes/doc%n", direct);
            System.out.printf(Locale.ROOT, "bklog server over ES:   %.1f bytes/doc%n", bklog);
            System.out.printf(Locale.ROOT, "es-bytes-per-doc bklog/direct = %.2f%n", bklog / direct);
            System.out.println("bklog index settings: " + s.es("GET", "/" + bklogIndices
                    + "/_settings?filter_path=*.settings.index.codec,*.settings.index.number_of_*", null));
            System.out.println("bklog mapping: " + s.es("GET", "/" + bklogIndices + "/_mapping", null));
            System.out.println("bklog _source of one document: " + s.es("GET", "/" + bklogIndices
                    + "/_search?size=1", null).at("/hits/hits/0/_source"));
            fieldUsage(s, DIRECT, docs);
            fieldUsage(s, bklogIndices, docs);
        }
    }

    /** Refreshes, force-merges to one segment, and answers the primaries' store size per document. */
    static double bytesPerDoc(EsSideBySide s, String index, int expectedDocs) throws Exception {
        s.es("POST", "/" + index + "/_refresh", null);
        s.es("POST", "/" + index + "/_forcemerge?max_num_segments=1&flush=true", null);
        s.es("POST", "/" + index + "/_refresh", null);
        JsonNode p = s.es("GET", "/" + index + "/_stats/store,docs", null).path("_all").path("primaries");
        long count = p.path("docs").path("count").asLong();
        if (count != expectedDocs) {
            throw new IllegalStateException(index + " holds " + count + " documents, expected " + expectedDocs);
        }
        return (double) p.path("store").path("size_in_bytes").asLong() / count;
    }

    /** Per-field bytes/doc from {@code _disk_usage} (summed over the matching indices), largest first. */
    static void fieldUsage(EsSideBySide s, String index, int docs) throws Exception {
        JsonNode u = s.es("POST", "/" + index + "/_disk_usage?run_expensive_tasks=true", null);
        Map<String, long[]> byField = new java.util.TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = u.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> idx = it.next();
            if (idx.getKey().startsWith("_")) continue;
            for (Iterator<Map.Entry<String, JsonNode>> f = idx.getValue().path("fields").fields(); f.hasNext(); ) {
                Map.Entry<String, JsonNode> e = f.next();
                JsonNode v = e.getValue();
                long[] acc = byField.computeIfAbsent(e.getKey(), k -> new long[6]);
                acc[0] += v.path("total_in_bytes").asLong();
                acc[1] += v.path("inverted_index").path("total_in_bytes").asLong();
                acc[2] += v.path("stored_fields_in_bytes").asLong();
                acc[3] += v.path("doc_values_in_bytes").asLong();
                acc[4] += v.path("points_in_bytes").asLong();
                acc[5] += v.path("norms_in_bytes").asLong() + v.path("term_vectors_in_bytes").asLong()
                        + v.path("knn_vectors_in_bytes").asLong();
            }
        }
        List<Map.Entry<String, long[]>> rows = new ArrayList<>(byField.entrySet());
        rows.sort((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]));
        System.out.printf(Locale.ROOT, "%s, bytes/doc by field: total (inverted, stored, doc values, points, norms)%n",
                index);
        for (Map.Entry<String, long[]> r : rows) {
            long[] a = r.getValue();
            if (a[0] == 0) continue;
            System.out.printf(Locale.ROOT, "  %-20s %6.1f (%.1f, %.1f, %.1f, %.1f, %.1f)%n", r.getKey(),
                    (double) a[0] / docs, (double) a[1] / docs, (double) a[2] / docs, (double) a[3] / docs,
                    (double) a[4] / docs, (double) a[5] / docs);
        }
    }
}
