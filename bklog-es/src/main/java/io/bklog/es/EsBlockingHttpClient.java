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
 * timed out) tries the next, as the REST client does, so only searches (read-only, safe to send again) use it.
 */
final class EsBlockingHttpClient implements TransportHttpClient {
    private final List<HttpHost> hosts;
    private final CloseableHttpClient http;
    private final AtomicInteger next = new AtomicInteger();

    EsBlockingHttpClient(List<HttpHost> hosts, Duration connectTimeout, Duration requestTimeout, int maxConnections) {
        this.hosts = List.copyOf(hosts);
        PoolingHttpClientConnectionManager pool = new PoolingHttpClientConnectionManager();
        pool.setMaxTotal(maxConnections);
        pool.setDefaultMaxPerRoute(maxConnections);
        pool.setValidateAfterInactivity(2_000);
        this.http = HttpClients.custom().setConnectionManager(pool)
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setConnectTimeout((int) connectTimeout.toMillis())
                        .setConnectionRequestTimeout((int) requestTimeout.toMillis())
                        .setSocketTimeout((int) requestTimeout.toMillis()).build())
                .disableAutomaticRetries() // the next node is tried below instead
                .disableContentCompression()
                .build();
    }

    @Override
    public Response performRequest(String endpointId, Node node, Request request, TransportOptions options)
            throws IOException {
        int start = Math.floorMod(next.getAndIncrement(), hosts.size());
        IOException failure = null;
        for (int i = 0; i < hosts.size(); i++) {
            HttpHost host = hosts.get((start + i) % hosts.size());
            HttpRequestBase method = build(host, request, options);
            try (CloseableHttpResponse r = http.execute(host, method)) {
                byte[] body = r.getEntity() == null ? new byte[0] : EntityUtils.toByteArray(r.getEntity());
                Header type = r.getEntity() == null ? null : r.getEntity().getContentType();
                return new Answer(new Node(URI.create(host.toURI())), r.getStatusLine().getStatusCode(),
                        r.getAllHeaders(), body, type == null ? "application/json" : type.getValue());
            } catch (IOException e) {
                method.abort();
                if (failure == null) failure = e;
                else failure.addSuppressed(e);
            }
        }
        throw failure;
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
