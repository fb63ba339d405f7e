package io.bklog.server.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** HTTP calls and the read-back of numbered lines shared by the topology ITs. */
final class Stack {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private Stack() {}

    static HttpResponse<String> send(URI server, String method, String path, String token, String body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.resolve(path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) b.header("Authorization", "Bearer " + token);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A call that must answer 2xx; its JSON answer. */
    static JsonNode call(URI server, String method, String path, String token, String body) throws Exception {
        HttpResponse<String> r = send(server, method, path, token, body);
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isBetween(200, 299);
        return r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body());
    }

    /** What is stored of the numbered lines: each seq seen, and how many were seen more than once. */
    record Stored(BitSet seen, long duplicates, List<Long> duplicateSamples) {}

    /** Every stored line of the index set, paged by {@code seq} with {@code search_after}. */
    static Stored readAll(URI server, String indexSet, String token) throws Exception {
        BitSet seen = new BitSet();
        long duplicates = 0;
        List<Long> samples = new ArrayList<>();
        JsonNode after = null;
        while (true) {
            ObjectNode body = JSON.createObjectNode();
            body.put("size", 10_000);
            body.putArray("sort_list").addArray().add("seq").add("asc");
            body.putArray("fields").add("seq");
            if (after != null) body.set("search_after", after);
            JsonNode hits = call(server, "POST", "/api/v1/index_sets/" + indexSet + "/search", token,
                    JSON.writeValueAsString(body)).path("hits");
            if (hits.isEmpty()) break;
            for (JsonNode h : hits) {
                int seq = (int) h.path("source").path("seq").asLong(-1);
                if (seq < 0) continue;
                if (seen.get(seq)) {
                    duplicates++;
                    if (samples.size() < 10) samples.add((long) seq);
                }
                seen.set(seq);
            }
            after = hits.get(hits.size() - 1).path("sort_values");
        }
        return new Stored(seen, duplicates, samples);
    }

    /** The acknowledged seqs not stored. */
    static BitSet lost(BitSet acked, Stored stored) {
        BitSet lost = (BitSet) acked.clone();
        lost.andNot(stored.seen());
        return lost;
    }
}
