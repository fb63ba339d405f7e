package io.bklog.server.health;

import com.fasterxml.jackson.databind.JsonNode;
import io.bklog.server.BklogServer;
import io.bklog.server.config.BklogConfig;
import io.bklog.server.config.ServerConfig;
import io.bklog.server.config.StoreConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The probes of a server on the embedded default (Lucene store, H2 metadata). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HealthRoutesTest {
    @TempDir
    static Path dataDir;

    private BklogServer server;

    @BeforeAll
    void start() {
        server = BklogServer.start(new BklogConfig(new ServerConfig("127.0.0.1", 0, 1024 * 1024),
                dataDir.toString(), StoreConfig.defaults()));
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private static List<String> namespaces(JsonNode body) {
        List<String> out = new ArrayList<>();
        body.get("data").forEach(n -> out.add(n.get("namespace").asText()));
        return out;
    }

    @Test
    void healthzAnswersBklogJsonWithEveryEmbeddedNamespaceGreen() {
        Http.Answer a = Http.get(server.uri(), "/healthz");
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        assertThat(a.contentType()).startsWith("application/json");
        JsonNode body = a.json();
        assertThat(body.get("status").asBoolean()).isTrue();
        assertThat(body.get("message").asText()).isEqualTo("health check success");
        assertThat(namespaces(body)).containsExactly("mysql", "scheduler", "alerting", "service");
        JsonNode mysql = body.get("data").get(0);
        assertThat(mysql.get("status").asBoolean()).isTrue();
        assertThat(mysql.get("message").asText()).isEqualTo("ok");
        JsonNode ping = mysql.get("data").get(0);
        assertThat(ping.get("metric_name").asText()).isEqualTo("ping");
        assertThat(ping.get("dimensions").get("database").asText()).isEqualTo("h2");
        assertThat(ping.has("metric_value")).isTrue();
        assertThat(ping.has("suggestion")).isTrue();
        JsonNode service = body.get("data").get(3);
        List<String> metrics = new ArrayList<>();
        service.get("data").forEach(m -> metrics.add(m.get("metric_name").asText()));
        assertThat(metrics).contains("disk_free_bytes", "jvm_heap_used_ratio", "ingest_queue_fill_ratio", "dead_letters");
        List<String> scheduler = new ArrayList<>();
        body.get("data").get(1).get("data").forEach(m -> scheduler.add(m.get("metric_name").asText()));
        assertThat(scheduler).contains("beat_active", "beat_tick_age_seconds", "worker_running", "live_workers",
                "failed_runs_last_hour");
        List<String> alerting = new ArrayList<>();
        body.get("data").get(2).get("data").forEach(m -> alerting.add(m.get("metric_name").asText()));
        assertThat(alerting).containsExactly("evaluation_lag_seconds", "rules_firing", "pending_deliveries",
                "failed_deliveries_last_hour");
    }

    @Test
    void includeSelectsExactlyTheNamedNamespaces() {
        JsonNode body = Http.get(server.uri(), "/healthz?include=service").json();
        assertThat(namespaces(body)).containsExactly("service");
    }

    @Test
    void excludeDropsTheNamedNamespaces() {
        JsonNode body = Http.get(server.uri(), "/healthz?exclude=service").json();
        assertThat(namespaces(body)).containsExactly("mysql", "scheduler", "alerting");
    }

    @Test
    void includingAnUnknownNamespaceFailsWith503NamingIt() {
        Http.Answer a = Http.get(server.uri(), "/healthz?include=service,redis");
        assertThat(a.status()).isEqualTo(503);
        JsonNode body = a.json();
        assertThat(body.get("status").asBoolean()).isFalse();
        assertThat(body.get("message").asText()).isEqualTo("health check failed, please check these namespace: redis");
        assertThat(namespaces(body)).containsExactly("service", "redis");
        assertThat(body.get("data").get(1).get("message").asText()).contains("unsupported namespace redis");
    }

    @Test
    void textFormatHasKubernetesLines() {
        Http.Answer a = Http.get(server.uri(), "/healthz?format=text");
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.contentType()).startsWith("text/plain");
        assertThat(a.body().lines().toList()).startsWith("health check success", "[+]mysql ok", "[+]scheduler ok",
                "[+]alerting ok", "[+]service ok");
        assertThat(a.body()).contains("[+]mysql/ping database=h2 ");

        Http.Answer failed = Http.get(server.uri(), "/healthz?format=text&include=mysql,nope");
        assertThat(failed.status()).isEqualTo(503);
        assertThat(failed.body()).contains("[+]mysql ok\n").contains("[-]nope failed: unsupported namespace nope");
    }

    @Test
    void consoleFormatColoursTheMarks() {
        Http.Answer a = Http.get(server.uri(), "/healthz?format=console&include=service");
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.body()).contains("\u001B[32m[+]\u001B[0mservice ok");
    }

    @Test
    void unknownFormatIsABadRequestNamingTheChoices() {
        Http.Answer a = Http.get(server.uri(), "/healthz?format=yaml");
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.json().get("message").asText()).contains("unknown format 'yaml'").contains("json, text or console");
    }

    @Test
    void livezIsOkWhileServing() {
        Http.Answer a = Http.get(server.uri(), "/livez");
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.body()).isEqualTo("ok\n");
    }

    @Test
    void readyzChecksOnlyTheMetadataForAnEmbeddedStore() {
        Http.Answer a = Http.get(server.uri(), "/readyz");
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        assertThat(namespaces(a.json())).containsExactly("mysql");
    }
}
