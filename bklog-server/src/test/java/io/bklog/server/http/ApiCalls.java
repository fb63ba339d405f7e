package io.bklog.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** JSON calls to a running server's API with a bearer token, and making tokens, for the route tests. */
final class ApiCalls {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Answer(int status, String raw, JsonNode body) {}

    private final String base;
    private final HttpClient http = HttpClient.newHttpClient();

    ApiCalls(Object serverUri) {
        this.base = String.valueOf(serverUri);
    }

    Answer call(String token, String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json");
        if (token != null) b.header("Authorization", "Bearer " + token);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body(), r.body().isEmpty() ? null : JSON.readTree(r.body()));
    }

    /** A new token of {@code space} with {@code roles}, made by {@code admin}; its secret. */
    String token(String admin, String space, String name, String... roles) throws Exception {
        String body = "{\"name\":\"" + name + "\",\"space_uid\":\"" + space + "\",\"roles\":["
                + Arrays.stream(roles).map(r -> "\"" + r + "\"").collect(Collectors.joining(",")) + "]}";
        Answer a = call(admin, "POST", "/api/v1/tokens", body);
        assertThat(a.status()).as(a.raw()).isEqualTo(201);
        return a.body().get("token").asText();
    }
}
