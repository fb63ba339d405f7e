package io.bklog.server.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.server.BklogServer;
import io.bklog.server.config.BklogConfig;
import io.bklog.server.config.ConfigLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every metric name of every query of deploy/grafana/bklog-dashboard.json is in the real {@code /metrics} output of a
 * server that made an index set, ingested a document, answered /healthz and ran a backup task (an IT: the task makes it ~10 s).
 */
class GrafanaDashboardIT {
    private static final Path DASHBOARD = Path.of("..", "deploy", "grafana", "bklog-dashboard.json");
    private static final Set<String> PROMQL_WORDS = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right", "bool", "and", "or", "unless", "offset");
    private static final Pattern IDENT = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*(?=\\s*(\\(|\\{|\\[|$|\\s|\\)|/|,|\\*|\\+|-))");
    @TempDir
    Path dir;

    /** The metric names a PromQL expression reads: identifiers outside label matchers, ranges and grouping lists. */
    static Set<String> metricNames(String expr) {
        String e = expr.replaceAll("\\{[^}]*}", " ").replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring)\\s*\\([^)]*\\)", " ");
        Set<String> out = new TreeSet<>();
        Matcher m = IDENT.matcher(e);
        while (m.find()) {
            String word = m.group();
            int after = m.end();
            while (after < e.length() && e.charAt(after) == ' ') after++;
            boolean call = after < e.length() && e.charAt(after) == '(';
            if (!call && !PROMQL_WORDS.contains(word)) out.add(word);
        }
        return out;
    }

    @Test
    void metricNamesOfTheQueriesAreParsedWithoutFunctionsAndLabels() {
        assertThat(metricNames("histogram_quantile(0.99, sum by (le) (rate(a_bucket{x=\"y\"}[5m]))) / b"))
                .containsExactly("a_bucket", "b");
    }

    @Test
    void everyMetricTheDashboardQueriesIsExposedByTheServer() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        Set<String> queried = new TreeSet<>();
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode t : panel.get("targets")) queried.addAll(metricNames(t.get("expr").asText()));
        }
        assertThat(queried).hasSizeGreaterThan(5);

        BklogConfig config = ConfigLoader.load(null, Map.of(), Map.of("data_dir", dir.toString(), "server.port", "0",
                "server.host", "127.0.0.1", "auth.enabled", "false"));
        Set<String> exposed = new TreeSet<>();
        try (BklogServer server = BklogServer.start(config)) {
            HttpClient http = HttpClient.newHttpClient();
            String base = server.uri().toString();
            send(http, "PUT", base + "/api/v1/index_sets/app", "");
            send(http, "POST", base + "/api/v1/index_sets/app/ingest?refresh=true",
                    "[{\"dtEventTimeStamp\": 1700000000000, \"log\": \"ERROR boom\"}]");
            send(http, "GET", base + "/healthz", null);
            String task = new ObjectMapper().readTree(send(http, "POST", base + "/api/v1/backups", "{}")).get("task_id")
                    .asText();
            await().atMost(Duration.ofSeconds(60)).until(() -> send(http, "GET", base + "/api/v1/tasks/status/" + task,
                    null).matches("(?s).*\"state\"\\s*:\\s*\"(done|failed)\".*"));
            for (String line : send(http, "GET", base + "/metrics", null).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) continue;
                exposed.add(line.split("[{ ]", 2)[0]);
            }
        }
        List<String> missing = new ArrayList<>(queried);
        missing.removeAll(exposed);
        assertThat(missing).as("metrics the dashboard queries that /metrics does not have; it has " + exposed).isEmpty();
    }

    private static String send(HttpClient http, String method, String url, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
