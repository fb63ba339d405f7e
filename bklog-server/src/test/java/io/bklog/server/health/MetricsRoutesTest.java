package io.bklog.server.health;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.server.BklogServer;
import io.bklog.server.config.BklogConfig;
import io.bklog.server.config.ServerConfig;
import io.bklog.server.config.StoreConfig;
import io.bklog.server.health.PrometheusText.Exposition;
import io.bklog.server.health.PrometheusText.Sample;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * {@code /metrics} of the embedded default, parsed strictly as Prometheus text 0.0.4, and read by the official
 * Prometheus client's text-format parser ({@code prometheus_client.parser.text_string_to_metric_families}, Debian
 * package {@code python3-prometheus-client}, which {@code .ci/run} installs when missing).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsRoutesTest {
    private static final String PYTHON = "/usr/bin/python3";
    private static final String PARSE = String.join("\n",
            "import sys, json",
            "from prometheus_client.parser import text_string_to_metric_families",
            "out = {}",
            "for f in text_string_to_metric_families(sys.stdin.read()):",
            "    out[f.name] = {'type': f.type, 'samples': [[s.name, s.labels, s.value] for s in f.samples]}",
            "print(json.dumps(out))");

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

    private int send(String method, String path, String body) throws IOException, InterruptedException {
        String token = Files.readString(dataDir.resolve("admin-token")).strip();
        HttpRequest r = HttpRequest.newBuilder(URI.create(server.uri() + path)).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return HttpClient.newHttpClient().send(r, HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void probesAndMetricsNeedNoTokenWhileTheApiDoes() {
        assertThat(Http.get(server.uri(), "/api/v1/index_sets").status()).isEqualTo(401);
        assertThat(Http.get(server.uri(), "/metrics").status()).isEqualTo(200);
        assertThat(Http.get(server.uri(), "/healthz").status()).isEqualTo(200);
        assertThat(Http.get(server.uri(), "/livez").status()).isEqualTo(200);
        assertThat(Http.get(server.uri(), "/readyz").status()).isEqualTo(200);
    }

    private Exposition scrape() {
        Http.Answer a = Http.get(server.uri(), "/metrics");
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.contentType()).startsWith("text/plain").contains("version=0.0.4");
        return PrometheusText.parse(a.body());
    }

    @Test
    void exposesJvmProcessAndHealthMetricsWithTypes() {
        Http.get(server.uri(), "/healthz");
        Exposition e = scrape();
        assertThat(e.types()).containsEntry("jvm_memory_used_bytes", "gauge")
                .containsEntry("bklog_health_status", "gauge")
                .containsEntry("process_uptime_seconds", "gauge")
                .containsEntry("system_cpu_count", "gauge")
                .containsEntry("jvm_threads_live_threads", "gauge")
                .containsEntry("jvm_classes_loaded_classes", "gauge")
                .containsKey("process_files_open_files");
        assertThat(e.samples("jvm_memory_used_bytes")).anySatisfy(s ->
                assertThat(s.labels()).containsEntry("area", "heap").containsKey("id"));
        assertThat(e.samples("bklog_health_status")).extracting(Sample::labels)
                .contains(Map.of("namespace", "service"), Map.of("namespace", "mysql"));
        assertThat(e.samples("bklog_health_status")).allSatisfy(s -> assertThat(s.value()).isEqualTo(1.0));
    }

    @Test
    void ingestAndSearchShowUpAsCounterAndHistogram() throws Exception {
        assertThat(send("PUT", "/api/v1/index_sets/metric_logs", "")).isBetween(200, 201);
        String doc = "{\"dtEventTimeStamp\": 1700000000000, \"serverIp\": \"10.0.0.1\", \"path\": \"/var/log/a.log\","
                + " \"gseIndex\": 1, \"iterationIndex\": 0, \"log\": \"ERROR boom\"}";
        String body = "[" + doc + "," + doc.replace("\"gseIndex\": 1", "\"gseIndex\": 2") + "]";
        assertThat(send("POST", "/api/v1/index_sets/metric_logs/ingest?refresh=true", body)).isEqualTo(200);
        assertThat(send("POST", "/api/v1/index_sets/metric_logs/search", "{\"keyword\": \"log:boom\"}")).isEqualTo(200);

        Exposition e = scrape();
        assertThat(e.types()).containsEntry("bklog_ingest_stored_total", "counter")
                .containsEntry("bklog_search_seconds", "histogram");
        assertThat(e.samples("bklog_ingest_stored_total")).anySatisfy(s -> {
            assertThat(s.labels()).containsEntry("index_set", "metric_logs");
            assertThat(s.value()).isEqualTo(2.0);
        });
        assertThat(e.samples("bklog_ingest_lines_total")).as("JSON ingest counts its lines").anySatisfy(s -> {
            assertThat(s.labels()).containsEntry("index_set", "metric_logs");
            assertThat(s.value()).isEqualTo(2.0);
        });
        assertThat(e.samples("bklog_ingest_bytes_total")).as("and the bytes of its body").anySatisfy(s -> {
            assertThat(s.labels()).containsEntry("index_set", "metric_logs");
            assertThat(s.value()).isEqualTo(body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        });
        assertThat(e.samples("bklog_search_seconds_bucket")).isNotEmpty()
                .anySatisfy(s -> assertThat(s.labels()).containsEntry("le", "+Inf"));
        assertThat(e.samples("bklog_search_seconds_count")).extracting(Sample::value)
                .anySatisfy(v -> assertThat(v).isGreaterThanOrEqualTo(1.0));
    }

    @Test
    void theParserRefusesMalformedExpositions() {
        assertThatThrownBy(() -> PrometheusText.parse("up 1\n")).hasMessageContaining("no TYPE line");
        assertThatThrownBy(() -> PrometheusText.parse("# TYPE up gauge\nup{a=\"1} 1\n"))
                .hasMessageContaining("unterminated");
        assertThatThrownBy(() -> PrometheusText.parse("# TYPE up gauge\nup one\n")).hasMessageContaining("bad value");
    }

    @Test
    void theOfficialPrometheusParserReadsEveryFamilyWithItsType() throws Exception {
        send("PUT", "/api/v1/index_sets/prom_logs", "");
        String doc = "{\"dtEventTimeStamp\": 1700000000000, \"serverIp\": \"10.0.0.1\", \"path\": \"/var/log/a.log\","
                + " \"gseIndex\": 1, \"iterationIndex\": 0, \"log\": \"ERROR boom\"}";
        assertThat(send("POST", "/api/v1/index_sets/prom_logs/ingest?refresh=true", "[" + doc + "]")).isEqualTo(200);
        assertThat(send("POST", "/api/v1/index_sets/prom_logs/search", "{\"keyword\": \"log:boom\"}")).isEqualTo(200);
        Http.get(server.uri(), "/healthz");

        Http.Answer scrape = Http.get(server.uri(), "/metrics");
        assertThat(scrape.status()).isEqualTo(200);
        JsonNode families = parseWithPrometheusClient(scrape.body());

        // the client strips _total from counter family names and groups _bucket/_count/_sum under the histogram
        assertThat(families.path("bklog_ingest_stored").path("type").asText()).isEqualTo("counter");
        assertThat(families.path("bklog_search_seconds").path("type").asText()).isEqualTo("histogram");
        assertThat(families.path("bklog_health_status").path("type").asText()).isEqualTo("gauge");
        assertThat(families.path("jvm_memory_used_bytes").path("type").asText()).isEqualTo("gauge");
        assertThat(families.path("process_uptime_seconds").path("type").asText()).isEqualTo("gauge");

        JsonNode stored = families.path("bklog_ingest_stored").path("samples");
        assertThat(stored).anySatisfy(s -> {
            assertThat(s.get(0).asText()).isEqualTo("bklog_ingest_stored_total");
            assertThat(s.get(1).path("index_set").asText()).isEqualTo("prom_logs");
            assertThat(s.get(2).asDouble()).isEqualTo(1.0);
        });
        assertThat(families.path("bklog_search_seconds").path("samples"))
                .anySatisfy(s -> assertThat(s.get(1).path("le").asText()).isEqualTo("+Inf"));
        assertThat(families.path("bklog_health_status").path("samples"))
                .anySatisfy(s -> assertThat(s.get(1).path("namespace").asText()).isEqualTo("mysql"));
    }

    private JsonNode parseWithPrometheusClient(String exposition) throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of(PYTHON))) {
            fail(PYTHON + " is missing: install Debian's python3 and python3-prometheus-client"
                    + " (apt-get install -y python3-prometheus-client; ./run-tests, the README's test command,"
                    + " does it)");
        }
        Process p = new ProcessBuilder(PYTHON, "-c", PARSE).redirectErrorStream(false).start();
        p.getOutputStream().write(exposition.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        if (err.contains("No module named 'prometheus_client'")) {
            fail("the Prometheus client is missing: apt-get install -y python3-prometheus-client (./run-tests, the"
                    + " README's test command, does it)");
        }
        assertThat(p.exitValue()).as("the Prometheus parser refused /metrics: %s", err).isZero();
        return new ObjectMapper().readTree(out);
    }
}
