package io.bklog.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.LogPlatform;
import io.bklog.server.BklogServer;
import io.bklog.server.config.ServerConfig;
import io.javalin.Javalin;
import io.javalin.router.ParsedEndpoint;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenAPI description served at {@code /api/v1/openapi.json} names exactly the routes the server registers under
 * {@code /api/} and the probe/metrics paths: method, path and path parameters.
 */
class OpenApiTest {
    private static final Set<String> OPS_PATHS = Set.of("/healthz", "/livez", "/readyz", "/metrics");

    private static boolean described(String path) {
        return path.startsWith("/api/") || OPS_PATHS.contains(path);
    }

    @Test
    void theDescriptionServedNamesExactlyTheRegisteredRoutes() throws Exception {
        Set<String> registered = new TreeSet<>();
        LogPlatform platform = LogPlatform.builder().build();
        {
            Javalin app = Javalin.create();
            ApiRoutes.all(platform, Json.mapper()).forEach(g -> g.register(app));
            new ConfigRoutes(new ObjectMapper().createObjectNode()).register(app);
            for (ParsedEndpoint e : app.unsafeConfig().pvt.internalRouter.allHttpHandlers()) {
                String method = e.getEndpoint().getMethod().name().toLowerCase(Locale.ROOT);
                String path = e.getEndpoint().getPath().replace('<', '{').replace('>', '}');
                if (described(path) && !method.equals("head") && !method.equals("options")) registered.add(method + " " + path);
            }
        }
        JsonNode served;
        try (BklogServer server = BklogServer.start(platform, new ServerConfig("127.0.0.1", 0, 1 << 20))) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(server.uri() + "/api/v1/openapi.json")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
            served = new ObjectMapper().readTree(r.body());
        }
        assertThat(served.get("openapi").asText()).startsWith("3.");
        Set<String> documented = new TreeSet<>();
        Iterator<String> paths = served.get("paths").fieldNames();
        while (paths.hasNext()) {
            String path = paths.next();
            Iterator<String> methods = served.get("paths").get(path).fieldNames();
            while (methods.hasNext()) {
                String method = methods.next();
                documented.add(method + " " + path);
                JsonNode op = served.get("paths").get(path).get(method);
                Set<String> params = new TreeSet<>();
                op.path("parameters").forEach(p -> { if (p.get("in").asText().equals("path")) params.add(p.get("name").asText()); });
                Set<String> inPath = new TreeSet<>();
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{(\\w+)}").matcher(path);
                while (m.find()) inPath.add(m.group(1));
                assertThat(params).as(method + " " + path + " path parameters").isEqualTo(inPath);
                assertThat(op.get("summary").asText()).as(method + " " + path).isNotBlank();
            }
        }
        assertThat(documented).as("routes described").isEqualTo(registered);
    }
}
