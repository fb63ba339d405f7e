package io.bklog.server.http;

import io.bklog.server.BklogServer;
import io.bklog.server.config.BklogConfig;
import io.bklog.server.config.ServerConfig;
import io.bklog.server.config.StoreConfig;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One embedded server (Lucene store, H2 metadata, auth on) per test JVM for the fuzz properties: an index set
 * {@code app} with a few documents, the bootstrap admin token and a viewer token. Started on first use, stopped
 * when the JVM exits.
 */
final class FuzzServer {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(FuzzServer.class);
    /** The bound on every answer. */
    static final Duration BOUND = Duration.ofSeconds(5);
    /** The bound on the set-up calls (not what the properties check; a loaded machine may need it). */
    private static final Duration SETUP = Duration.ofSeconds(60);
    private static FuzzServer shared;

    final BklogServer server;
    final String admin;
    final String viewer;
    /** How often a request that got no byte of answer is sent again, each time on a new connection. */
    private static final int RESENDS = 3;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(BOUND).build();

    record Answer(int status, String contentType, String body, long millis) {}

    private FuzzServer() throws Exception {
        Path dir = Files.createTempDirectory("bklog-fuzz");
        server = BklogServer.start(new BklogConfig(new ServerConfig("127.0.0.1", 0, 1024 * 1024), dir.toString(),
                StoreConfig.defaults()));
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "fuzz-server-stop"));
        admin = Files.readString(dir.resolve("admin-token")).strip();
        check(send("PUT", "/api/v1/index_sets/app", admin, Map.of(), "{\"fields\": [{\"name\": \"status\","
                + " \"type\": \"long\"}, {\"name\": \"ip\", \"type\": \"ip\"}]}", SETUP), 201);
        List<String> docs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            docs.add("{\"dtEventTimeStamp\": " + (1_700_000_000_000L + i * 60_000L) + ", \"serverIp\": \"10.0.0."
                    + (i % 3) + "\", \"path\": \"/var/log/a.log\", \"gseIndex\": " + i + ", \"iterationIndex\": 0,"
                    + " \"status\": " + (200 + i) + ", \"ip\": \"192.168.0." + i + "\", \"log\": \"GET /x " + i
                    + " error timeout\"}");
        }
        check(send("POST", "/api/v1/index_sets/app/ingest?refresh=true", admin, Map.of(), "[" + String.join(",", docs)
                + "]", SETUP), 200);
        Answer v = send("POST", "/api/v1/tokens", admin, Map.of(), "{\"name\": \"fuzz-viewer\", \"roles\":"
                + " [\"viewer\"]}", SETUP);
        check(v, 201);
        viewer = Json.mapper().readTree(v.body()).get("token").asText();
    }

    static synchronized FuzzServer get() {
        if (shared == null) {
            try {
                shared = new FuzzServer();
            } catch (Exception e) {
                throw new IllegalStateException("cannot start the fuzz server", e);
            }
        }
        return shared;
    }

    private static void check(Answer a, int status) {
        if (a.status() != status) throw new IllegalStateException("setup call answered " + a.status() + ": " + a.body());
    }

    /**
     * Sends one request; {@code pathAndQuery} must already be a valid URI reference (percent-encoded). A streamed
     * answer (server-sent events) is closed after its headers.
     */
    Answer send(String method, String pathAndQuery, String token, Map<String, String> headers, String body)
            throws IOException, InterruptedException {
        return send(method, pathAndQuery, token, headers, body, BOUND);
    }

    private Answer send(String method, String pathAndQuery, String token, Map<String, String> headers, String body,
                        Duration timeout) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.uri() + pathAndQuery)).timeout(timeout);
        if (token != null) b.header("Authorization", "Bearer " + token);
        headers.forEach(b::header);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        long t0 = System.nanoTime();
        HttpResponse<InputStream> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            if (!closedUnanswered(e)) throw e;
            log.warn("fuzz request got no answer, sending it again method={} path={} error=\"{}\"", method,
                    pathAndQuery.length() > 200 ? pathAndQuery.substring(0, 200) + "..." : pathAndQuery, e.getMessage());
            // A connection closed before any byte of the answer: a pooled keep-alive connection the server closed
            // (idle timeout) just as the client reused it, or, on a loaded machine, a reset that overtook an
            // answer. That is the transport's race, not an answer of ours: send again on connections of their own,
            // a few times; a request that really makes the server drop the connection fails every time.
            t0 = System.nanoTime(); // the bound applies to the answered send (the pauses add at most 0.6 s)
            r = resend(b, e);
        }
        String type = r.headers().firstValue("Content-Type").orElse("");
        String text;
        try (InputStream in = r.body()) {
            text = type.startsWith("text/event-stream") ? "" : read(in);
        }
        return new Answer(r.statusCode(), type, text, (System.nanoTime() - t0) / 1_000_000);
    }

    private static HttpResponse<InputStream> resend(HttpRequest.Builder b, IOException first)
            throws IOException, InterruptedException {
        IOException last = first;
        for (int attempt = 1; attempt <= RESENDS; attempt++) {
            Thread.sleep(100L * attempt);
            try {
                return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(BOUND).build()
                        .send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (IOException e) {
                if (!closedUnanswered(e)) throw e;
                last = e;
            }
        }
        throw new IOException("no answer after " + (RESENDS + 1) + " sends, each on a new connection: "
                + last.getMessage(), last);
    }

    private static boolean closedUnanswered(IOException e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("received no bytes") || m.contains("Connection reset");
    }

    private static String read(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) > 0 && out.size() < 4 * 1024 * 1024) out.write(buf, 0, n);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Percent-encodes every byte of {@code s} but the unreserved characters, so any string is one path segment. */
    static String encode(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return sb.toString();
    }
}
