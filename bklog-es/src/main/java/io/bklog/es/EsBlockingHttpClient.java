package io.bklog.es;

import co.elastic.clients.transport.TransportOptions;
import co.elastic.clients.transport.http.TransportHttpClient;
import co.elastic.clients.util.BinaryData;
import org.apache.http.Header;
import org.apache.http.HttpHost;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.HttpRequestBase;
import org.apache.http.client.methods.RequestBuilder;
import org.apache.http.client.utils.URIBuilder;
import org.apache.http.conn.ConnectionPoolTimeoutException;
import org.apache.http.entity.ByteArrayEntity;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.impl.conn.PoolingHttpClientConnectionManager;
import org.apache.http.util.EntityUtils;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The typed client's HTTP layer for searches, with blocking I/O on the calling thread (Apache HttpClient's classic
 * pooling client): a search answered by Elasticsearch is read by the thread that asked for it, instead of being
 * handed to the REST client's I/O reactor thread and back (two waits for a core on a loaded machine, 1.5-2.4 ms a
 * search measured here). Nodes are tried in turn from a rotating start; an I/O failure on one (refused, reset,
 * timed out) or a 502/503/504 answer tries the next and keeps that node last for {@link #DEAD_FOR}, as the REST
 * client does; so only searches (read-only, safe to send again) use it. A search that finds every pooled connection
 * busy for {@link #POOL_WAIT} fails at once (busy, retryable) instead of being sent to the next node.
 */
final class EsBlockingHttpClient implements TransportHttpClient {
    /** How long a node that failed stays behind the others. */
    static final Duration DEAD_FOR = Duration.ofSeconds(30);
    /** How long a search waits for a free pooled connection. */
    static final Duration POOL_WAIT = Duration.ofSeconds(2);

    private final List<HttpHost> hosts;
    private final CloseableHttpClient http;
    private final AtomicInteger next = new AtomicInteger();
    /** Per node: System.nanoTime until which it is tried after the others (0: alive). */
    private final java.util.concurrent.atomic.AtomicLongArray deadUntil;

    EsBlockingHttpClient(List<HttpHost> hosts, Duration connectTimeout, Duration requestTimeout, int maxConnections) {
        this.hosts = List.copyOf(hosts);
        this.deadUntil = new java.util.concurrent.atomic.AtomicLongArray(this.hosts.size());
        PoolingHttpClientConnectionManager pool = new PoolingHttpClientConnectionManager();
        pool.setMaxTotal(maxConnections * this.hosts.size());
        pool.setDefaultMaxPerRoute(maxConnections);
        pool.setValidateAfterInactivity(2_000);
        this.http = HttpClients.custom().setConnectionManager(pool)
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setConnectTimeout((int) connectTimeout.toMillis())
                        .setConnectionRequestTimeout((int) POOL_WAIT.toMillis())
                        .setSocketTimeout((int) requestTimeout.toMillis()).build())
                .disableAutomaticRetries() // the next node is tried below instead
                .disableContentCompression()
                .build();
    }

    @Override
    public Response performRequest(String endpointId, Node node, Request request, TransportOptions options)
            throws IOException {
        IOException failure = null;
        Answer refused = null;
        for (int i : order()) {
            HttpHost host = hosts.get(i);
            HttpRequestBase method = build(host, request, options);
            Answer answer;
            try (CloseableHttpResponse r = http.execute(host, method)) {
                byte[] body = r.getEntity() == null ? new byte[0] : EntityUtils.toByteArray(r.getEntity());
                Header type = r.getEntity() == null ? null : r.getEntity().getContentType();
                answer = new Answer(new Node(URI.create(host.toURI())), r.getStatusLine().getStatusCode(),
                        r.getAllHeaders(), body, type == null ? "application/json" : type.getValue());
            } catch (ConnectionPoolTimeoutException e) {
                method.abort();
                throw e; // every connection busy: another node would draw on the same pool
            } catch (IOException e) {
                method.abort();
                markDead(i);
                if (failure == null) failure = e;
                else failure.addSuppressed(e);
                continue;
            }
            int status = answer.statusCode();
            if (status == 502 || status == 503 || status == 504) { // the node is restarting or overloaded
                markDead(i);
                refused = answer;
                continue;
            }
            deadUntil.set(i, 0);
            return answer;
        }
        if (refused != null) return refused; // the last node's own answer, read as Elasticsearch's error
        throw failure;
    }

    /** The nodes to try: from a rotating start, those that failed within {@link #DEAD_FOR} last. */
    private int[] order() {
        int n = hosts.size();
        int start = Math.floorMod(next.getAndIncrement(), n);
        long now = System.nanoTime();
        int[] out = new int[n];
        int k = 0;
        for (int pass = 0; pass < 2; pass++) {
            for (int j = 0; j < n; j++) {
                int i = (start + j) % n;
                long until = deadUntil.get(i);
                boolean dead = until != 0 && now - until < 0;
                if (dead == (pass == 1)) out[k++] = i;
            }
        }
        return out;
    }

    private void markDead(int i) {
        deadUntil.set(i, System.nanoTime() + DEAD_FOR.toNanos());
    }

    private static HttpRequestBase build(HttpHost host, Request request, TransportOptions options) throws IOException {
        URIBuilder uri;
        try {
            uri = new URIBuilder(host.toURI() + request.path());
        } catch (URISyntaxException e) {
            throw new IOException("bad Elasticsearch request path " + request.path(), e);
        }
        request.queryParams().forEach(uri::addParameter);
        if (options != null) options.queryParameters().forEach(uri::addParameter);
        RequestBuilder b;
        try {
            b = RequestBuilder.create(request.method()).setUri(uri.build());
        } catch (URISyntaxException e) {
            throw new IOException("bad Elasticsearch request path " + request.path(), e);
        }
        request.headers().forEach(b::setHeader);
        if (options != null) options.headers().forEach(h -> b.setHeader(h.getKey(), h.getValue()));
        if (request.body() != null) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (ByteBuffer buf : request.body()) {
                ByteBuffer d = buf.duplicate();
                byte[] chunk = new byte[d.remaining()];
                d.get(chunk);
                out.write(chunk);
            }
            b.setEntity(new ByteArrayEntity(out.toByteArray()));
        }
        return (HttpRequestBase) b.build();
    }

    @Override
    public CompletableFuture<Response> performRequestAsync(String endpointId, Node node, Request request,
                                                           TransportOptions options) {
        CompletableFuture<Response> f = new CompletableFuture<>();
        try {
            f.complete(performRequest(endpointId, node, request, options));
        } catch (IOException | RuntimeException e) {
            f.completeExceptionally(e);
        }
        return f;
    }

    @Override
    public void close() throws IOException {
        http.close();
    }

    /** An answer read whole (a search's answer: 50 hits and the aggregations). */
    private record Answer(Node node, int statusCode, Header[] all, byte[] bytes, String contentType)
            implements Response {
        @Override
        public String header(String name) {
            for (Header h : all) {
                if (h.getName().equalsIgnoreCase(name)) return h.getValue();
            }
            return null;
        }

        @Override
        public List<String> headers(String name) {
            List<String> out = new ArrayList<>();
            for (Header h : all) {
                if (h.getName().equalsIgnoreCase(name)) out.add(h.getValue());
            }
            return out;
        }

        @Override
        public BinaryData body() {
            return BinaryData.of(bytes, contentType);
        }

        @Override
        public Object originalResponse() {
            return this;
        }

        @Override
        public void close() {
            // read whole already
        }
    }
}
