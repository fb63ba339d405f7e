package io.bklog.es;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.memory.MemoryLogStore;
import io.bklog.lucene.LuceneLogStore;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogDocument;
import io.bklog.spi.LogStore;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SearchResult;
import io.bklog.spi.query.Query;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a wildcard across separators finds ({@code TextAnalysis.wildcardParts}) next to what Elasticsearch finds for
 * the same pattern in {@code query_string} on a plain {@code text} field (the {@code standard} analyzer, which a user
 * comparing with Elasticsearch has in mind): on HDFS lines every line Elasticsearch finds is found by each store (a
 * pattern such as {@code 10.251.*:50010}, which spans two standard tokens, finds nothing there but finds here), the
 * three stores agree with each other, and for {@code blk_*}, {@code dfs.DataNode*}, {@code 10.250.*} the HDFS lines
 * found are the same as Elasticsearch's. The {@code _analyze} API shows the premise: the standard analyzer keeps
 * {@code blk_}, {@code dfs.datanode} and {@code 10.250.19.102} as single tokens.
 */
class WildcardsAcrossSeparatorsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SET = "wildcards";
    private static final String PLAIN = "wildcards_standard";
    private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
    private static final List<String> LINES = List.of(
            "081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_38865049064139660"
                    + " terminating",
            "081109 203807 222 INFO dfs.DataNode$PacketResponder: PacketResponder 0 for block blk_-6952295868487656571"
                    + " terminating",
            "081109 204005 35 INFO dfs.FSNamesystem: BLOCK* NameSystem.addStoredBlock: blockMap updated:"
                    + " 10.251.73.220:50010 is added to blk_7128370237687728475 size 67108864",
            "081109 204015 308 INFO dfs.DataNode$PacketResponder: Received block blk_8229193803249955061 of size"
                    + " 67108864 from /10.250.19.102",
            "081109 204106 329 INFO dfs.DataNode$DataXceiver: Receiving block blk_-7017553867379051457 src:"
                    + " /10.250.19.102:54106 dest: /10.250.19.102:50010",
            "081109 204132 26 INFO dfs.FSNamesystem: BLOCK* NameSystem.allocateBlock:"
                    + " /user/root/rand/_temporary/_task_200811092030_0001_m_000590_0/part-00590."
                    + " blk_-1727475099218615100",
            "081110 000243 4128 INFO dfs.FSDataset: Deleting block blk_1781953582842324563 file"
                    + " /mnt/hadoop/dfs/data/current/subdir36/blk_1781953582842324563",
            "081110 001051 19 WARN dfs.DataNode$DataXceiver: 10.251.30.6:50010:Got exception while serving"
                    + " blk_-2918118818249673980 to /10.251.90.64:",
            "081111 093622 19 INFO dfs.DataBlockScanner: Verification succeeded for blk_-3125526936116014218",
            "a dfs-datanode line without a block, from 10 250 1 2",
            "blk-7 and blk 8 are not HDFS block ids");
    /** The first lines are HDFS's own; the last ones are found here but not by the standard analyzer. */
    private static final int HDFS_LINES = 9;
    private static final List<String> PATTERNS = List.of("blk_*", "dfs.DataNode*", "10.250.*", "dfs.FSNamesystem*",
            "NameSystem.add*", "10.251.*:50010", "/mnt/hadoop/*", "*.DataXceiver", "DataNode$Packet*", "blk_-69*",
            "part-005*");
    private static final List<String> SAME_AS_ELASTICSEARCH = List.of("blk_*", "dfs.DataNode*", "10.250.*",
            "dfs.FSNamesystem*");

    @TempDir
    static Path luceneDir;

    private static final Map<String, LogStore> stores = new LinkedHashMap<>();
    private static final HttpClient http = HttpClient.newHttpClient();
    private static String es;

    @BeforeAll
    static void loadTheLinesEverywhere() throws Exception {
        es = EsFixture.shared().url();
        EsFixture.wipeBklogData(es);
        stores.put("elasticsearch", EsLogStore.builder().hosts(es).build());
        stores.put("lucene", LuceneLogStore.builder().dataDir(luceneDir).build());
        stores.put("memory", new MemoryLogStore());
        List<LogDocument> docs = new ArrayList<>();
        StringBuilder bulk = new StringBuilder();
        for (int i = 0; i < LINES.size(); i++) {
            docs.add(new LogDocument("w" + i, T0.plusSeconds(i), Map.of("log", LINES.get(i))));
            bulk.append("{\"index\":{\"_id\":\"w").append(i).append("\"}}\n")
                    .append(JSON.writeValueAsString(Map.of("log", LINES.get(i)))).append('\n');
        }
        for (LogStore s : stores.values()) {
            s.ensureIndexSet(IndexSetSchema.of(SET, List.of(FieldSpec.of("log", FieldType.TEXT))));
            assertThat(s.index(SET, docs).allOk()).isTrue();
            s.refresh(SET);
        }
        call("DELETE", "/" + PLAIN + "?ignore_unavailable=true", null);
        call("PUT", "/" + PLAIN, "{\"mappings\":{\"properties\":{\"log\":{\"type\":\"text\"}}}}");
        call("POST", "/" + PLAIN + "/_bulk?refresh=true", bulk.toString());
    }

    @AfterAll
    static void closeStores() throws Exception {
        call("DELETE", "/" + PLAIN + "?ignore_unavailable=true", null);
        for (LogStore s : stores.values()) s.close();
        EsFixture.wipeBklogData(es); // the node is shared with the next test classes
    }

    @Test
    void theStandardAnalyzerKeepsBlockIdsClassesAndAddressesWhole() throws Exception {
        assertThat(standardTokens(LINES.get(1))).contains("dfs.datanode", "blk_", "6952295868487656571");
        assertThat(standardTokens(LINES.get(4))).contains("10.250.19.102", "54106");
        // ... where bklog's analysis splits at every separator
        assertThat(io.bklog.spi.query.TextAnalysis.tokens(LINES.get(1))).contains("dfs", "datanode", "blk");
    }

    @Test
    void everyStoreFindsWhatElasticsearchFindsAndTheStoresAgree() throws Exception {
        List<String> differences = new ArrayList<>();
        for (String pattern : PATTERNS) {
            Set<String> standard = standardHits(pattern);
            Map<String, Set<String>> found = new LinkedHashMap<>();
            stores.forEach((name, s) -> found.put(name, ids(s, pattern)));
            Set<String> lucene = found.get("lucene");
            if (!found.values().stream().allMatch(lucene::equals)) differences.add(pattern + ": stores " + found);
            if (!lucene.containsAll(standard)) differences.add(pattern + ": misses " + standard + " vs " + lucene);
            Set<String> hdfs = new TreeSet<>(lucene);
            hdfs.removeIf(id -> Integer.parseInt(id.substring(1)) >= HDFS_LINES);
            if (SAME_AS_ELASTICSEARCH.contains(pattern) && (standard.isEmpty() || !hdfs.equals(standard))) {
                differences.add(pattern + ": elasticsearch " + standard + " vs " + lucene);
            }
        }
        assertThat(differences).isEmpty();
        // a separator in the pattern matches any separator: more than Elasticsearch finds, never less
        assertThat(ids(stores.get("lucene"), "blk_*")).contains("w10");
        assertThat(ids(stores.get("lucene"), "10.250.*")).contains("w9");
    }

    private static Set<String> ids(LogStore store, String pattern) {
        SearchResult r = store.search(SearchRequest.builder(SET).query(new Query.Wildcard("log", pattern)).size(100)
                .build());
        Set<String> out = new TreeSet<>();
        for (SearchResult.Hit h : r.hits()) out.add(h.id());
        return out;
    }

    private static Set<String> standardHits(String pattern) throws Exception {
        String body = JSON.writeValueAsString(Map.of("size", 100, "query", Map.of("query_string",
                Map.of("query", pattern.replace("/", "\\/").replace(":", "\\:"), "default_field", "log"))));
        Set<String> out = new TreeSet<>();
        for (JsonNode h : call("POST", "/" + PLAIN + "/_search", body).path("hits").path("hits")) {
            out.add(h.path("_id").asText());
        }
        return out;
    }

    private static List<String> standardTokens(String text) throws Exception {
        JsonNode r = call("POST", "/_analyze", JSON.writeValueAsString(Map.of("analyzer", "standard", "text", text)));
        List<String> out = new ArrayList<>();
        for (JsonNode t : r.path("tokens")) out.add(t.path("token").asText());
        return out;
    }

    private static JsonNode call(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(es + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", path.contains("_bulk") ? "application/x-ndjson" : "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) throw new IllegalStateException(method + " " + path + ": " + r.body());
        return JSON.readTree(r.body());
    }
}
