package io.bklog.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.meta.IndexSet;
import io.bklog.core.meta.IndexSetRepository;
import io.bklog.server.BklogServer;
import io.bklog.server.config.BklogConfig;
import io.bklog.server.config.ServerConfig;
import io.bklog.server.config.StoreConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With authentication on, a search masks with the rules of the index set as the metadata database holds it at that
 * moment: the route's masker takes the set the auth filter read fresh for the request (one read, not two), never a
 * cached copy. A set deleted and made again under the same name behind this server's back (as another instance
 * would) is masked with the new set's rules at once.
 */
class MaskerFreshSetTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PHONE = "13812345678";

    @TempDir
    Path dataDir;

    private BklogServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    private JsonNode call(String token, String method, String path, String body, int status) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.uri() + path))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + token);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isEqualTo(status);
        return r.body().isEmpty() ? null : JSON.readTree(r.body());
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    @Test
    void aSetMadeAgainBehindTheServersBackIsMaskedWithTheNewSetsRulesAtOnce() throws Exception {
        server = BklogServer.start(new BklogConfig(new ServerConfig("127.0.0.1", 0, 4 * 1024 * 1024),
                dataDir.toString(), StoreConfig.defaults()));
        String admin = Files.readString(dataDir.resolve("admin-token")).strip();
        call(admin, "PUT", "/api/v1/index_sets/remade", "{\"fields\": [{\"name\": \"phone\", \"type\": \"keyword\"}]}",
                201);
        call(admin, "POST", "/api/v1/index_sets/remade/ingest?refresh=true", "[{\"dtEventTimeStamp\": 1700000000000,"
                + " \"phone\": \"" + PHONE + "\", \"log\": \"login phone " + PHONE + "\"}]", 200);
        String viewer = call(admin, "POST", "/api/v1/tokens", "{\"name\": \"v\", \"space_uid\": \"default\","
                + " \"roles\": [\"viewer\"]}", 201).get("token").asText();
        String search = "{\"keyword\": \"*\", \"start_time\": 1690000000000, \"end_time\": 1710000000000}";
        assertThat(call(viewer, "POST", "/api/v1/index_sets/remade/search", search, 200).toString())
                .as("no rules yet").contains(PHONE);

        // another instance deletes the set and makes it again (same name, a new id): this server is not told
        IndexSetRepository sets = server.platform().internals().metadata().indexSets();
        IndexSet old = sets.getByName("remade");
        sets.delete(old);
        IndexSet made = sets.create(new IndexSet(0, old.name(), old.spaceUid(), old.timeField(), old.fields(),
                old.retentionDays(), old.shards(), old.replicas(), old.rotation(), old.rolloverBytes(), old.storeName(),
                old.storageCluster(), old.description(), old.dynamic(), 0, null, null, old.patterns()));
        assertThat(made.id()).isNotEqualTo(old.id());
        long rule = call(admin, "POST", "/api/v1/desensitize/rules", "{\"rule_name\": \"phone\", \"operator\":"
                + " \"mask_shield\", \"params\": {\"preserve_head\": 3, \"preserve_tail\": 2}, \"match_pattern\":"
                + " \"1[3-9]\\\\d{9}\"}", 201).get("id").asLong();
        call(admin, "PUT", "/api/v1/index_sets/remade/desensitize", "{\"field_configs\": [{\"field_name\": \"phone\","
                + " \"rule_id\": " + rule + ", \"sort_index\": 0}], \"text_fields\": [\"log\"]}", 200);

        String masked = call(viewer, "POST", "/api/v1/index_sets/remade/search", search, 200).toString();
        assertThat(masked).contains("login phone").doesNotContain(PHONE);
    }
}
