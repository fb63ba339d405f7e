package io.bklog.es;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.ElasticsearchTransportBase;
import co.elastic.clients.transport.rest_client.RestClientTransport;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.http.HttpHost;
import org.elasticsearch.client.RestClient;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One connection to an Elasticsearch cluster: the low-level REST client and the typed client on top of it, shared by
 * the store, the snapshot repository and the health indicator of one backend. Closing it closes the HTTP pool.
 *
 * @param hosts          {@code http://host:port} of one or more nodes
 * @param connectTimeout TCP connect timeout
 * @param requestTimeout socket timeout of one request (a bulk, a search)
 */
public final class EsConnection implements AutoCloseable {
    /** Pooled connections of the search client per node (searches in flight at once on one node). */
    static final int SEARCH_CONNECTIONS = 32;
    private final List<String> hosts;
    private final RestClient restClient;
    private final ElasticsearchClient client;
    private final ElasticsearchClient searchClient;
    private final ObjectMapper mapper;

    private EsConnection(List<String> hosts, Duration connectTimeout, Duration requestTimeout) {
        this.hosts = List.copyOf(hosts);
        if (this.hosts.isEmpty()) throw new IllegalArgumentException("at least one Elasticsearch host is required");
        HttpHost[] httpHosts = this.hosts.stream().map(EsConnection::parseHost).toArray(HttpHost[]::new);
        this.restClient = RestClient.builder(httpHosts)
                .setRequestConfigCallback(rc -> rc
                        .setConnectTimeout((int) connectTimeout.toMillis())
                        .setSocketTimeout((int) requestTimeout.toMillis()))
                .build();
        this.mapper = new ObjectMapper();
        JacksonJsonpMapper jsonp = new JacksonJsonpMapper(mapper);
        this.client = new ElasticsearchClient(new RestClientTransport(restClient, jsonp));
        this.searchClient = new ElasticsearchClient(new ElasticsearchTransportBase(new EsBlockingHttpClient(
                List.of(httpHosts), connectTimeout, requestTimeout, SEARCH_CONNECTIONS), null, jsonp) { });
    }

    /** Connects to {@code hosts} with the given timeouts (no request is sent until first use). */
    public static EsConnection connect(List<String> hosts, Duration connectTimeout, Duration requestTimeout) {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        return new EsConnection(hosts, connectTimeout, requestTimeout);
    }

    private static HttpHost parseHost(String host) {
        String h = host.trim();
        if (h.isEmpty()) throw new IllegalArgumentException("blank Elasticsearch host in " + h);
        try {
            return HttpHost.create(h.contains("://") ? h : "http://" + h);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad Elasticsearch host '" + host + "'; expected http://host:port", e);
        }
    }

    public ElasticsearchClient client() {
        return client;
    }

    /**
     * The typed client for searches: the same nodes, read with blocking I/O on the calling thread
     * ({@link EsBlockingHttpClient}), so a search's answer is not handed from an I/O thread to the caller.
     */
    ElasticsearchClient searchClient() {
        return searchClient;
    }

    public RestClient restClient() {
        return restClient;
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    public List<String> hosts() {
        return hosts;
    }

    @Override
    public void close() {
        try (RestClient rest = restClient) {
            searchClient._transport().close();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("closing the Elasticsearch client failed", e);
        }
    }
}
