package io.bklog.server.chaos;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The test's own load balancer: each request goes to the next instance in turn; an instance that refuses the
 * connection is skipped for the next one (as a load balancer's passive health check does), and when none answers
 * the client gets 502. Answers pass through unchanged (status, body, {@code Content-Type}, {@code Retry-After}).
 */
final class RoundRobinProxy implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RoundRobinProxy.class);
    private static final List<String> FORWARDED = List.of("Authorization", "Content-Type", "Idempotency-Key",
            "Accept", "Content-Encoding");

    private final List<URI> backends;
    private final HttpServer server;
    private final ExecutorService pool = Executors.newFixedThreadPool(8, r -> {
        Thread t = new Thread(r, "rr-proxy");
        t.setDaemon(true);
        return t;
    });
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1)).build();
    private final AtomicInteger next = new AtomicInteger();
    private final Map<URI, AtomicLong> served = new ConcurrentHashMap<>();

    RoundRobinProxy(List<URI> backends) throws IOException {
        this.backends = List.copyOf(backends);
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext("/", this::handle);
        server.setExecutor(pool);
        server.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Requests answered by each instance. */
    Map<URI, Long> served() {
        Map<URI, Long> out = new java.util.TreeMap<>();
        served.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            String pathAndQuery = ex.getRequestURI().getRawPath()
                    + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery());
            int start = Math.floorMod(next.getAndIncrement(), backends.size());
            for (int i = 0; i < backends.size(); i++) {
                URI backend = backends.get((start + i) % backends.size());
                HttpRequest.Builder b = HttpRequest.newBuilder(backend.resolve(pathAndQuery))
                        .timeout(Duration.ofSeconds(45))
                        .method(ex.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body));
                for (String h : FORWARDED) {
                    String v = ex.getRequestHeaders().getFirst(h);
                    if (v != null) b.header(h, v);
                }
                HttpResponse<byte[]> r;
                try {
                    r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
                } catch (java.net.ConnectException e) {
                    continue; // that instance is down: the next one
                } catch (IOException e) {
                    // the instance died with the request: the client must learn it was not answered
                    LOG.debug("proxy request failed backend={} error={}", backend, e.toString());
                    answer(ex, 502, "{\"error\": \"bad_gateway\"}".getBytes(), "application/json", null);
                    return;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                served.computeIfAbsent(backend, k -> new AtomicLong()).incrementAndGet();
                answer(ex, r.statusCode(), r.body(), r.headers().firstValue("Content-Type").orElse(null),
                        r.headers().firstValue("Retry-After").orElse(null));
                return;
            }
            answer(ex, 502, "{\"error\": \"no instance answers\"}".getBytes(), "application/json", null);
        }
    }

    private static void answer(HttpExchange ex, int status, byte[] body, String type, String retryAfter)
            throws IOException {
        if (type != null) ex.getResponseHeaders().set("Content-Type", type);
        if (retryAfter != null) ex.getResponseHeaders().set("Retry-After", retryAfter);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
