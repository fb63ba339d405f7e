package io.bklog.es;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.spi.BackendException;
import org.apache.http.entity.ContentType;
import org.apache.http.nio.entity.NStringEntity;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;

import java.io.IOException;
import java.io.InputStream;

/**
 * JSON requests on the low-level REST client for the admin calls (templates, aliases, snapshots, stats) whose raw
 * JSON is simpler to read than the typed client's models. 4xx answers become {@link IllegalArgumentException} (the
 * request was wrong), the rest {@link BackendException} (retryable).
 */
final class EsHttp {
    private final EsConnection connection;
    private final ObjectMapper json;

    EsHttp(EsConnection connection) {
        this.connection = connection;
        this.json = connection.mapper();
    }

    ObjectMapper json() {
        return json;
    }

    JsonNode perform(String method, String path, JsonNode body) {
        Request request = new Request(method, path);
        try {
            if (body != null) {
                request.setEntity(new NStringEntity(json.writeValueAsString(body), ContentType.APPLICATION_JSON));
            }
            return read(connection.restClient().performRequest(request));
        } catch (ResponseException e) {
            int status = e.getResponse().getStatusLine().getStatusCode();
            if (status >= 400 && status < 500 && status != 429 && status != 408) {
                throw new IllegalArgumentException("Elasticsearch refused " + method + " " + path + ": "
                        + e.getMessage(), e);
            }
            throw new BackendException("Elasticsearch failed " + method + " " + path + " (" + status + "): "
                    + e.getMessage(), true, e);
        } catch (IOException e) {
            throw unreachable(method + " " + path, e);
        }
    }

    /** Like {@link #perform} without a body, but a 404 answer is null. */
    JsonNode performOrNull(String method, String path) {
        Request request = new Request(method, path);
        try {
            Response response = connection.restClient().performRequest(request);
            // the low-level client answers a HEAD's 404 instead of throwing
            if (response.getStatusLine().getStatusCode() == 404) return null;
            return read(response);
        } catch (ResponseException e) {
            if (e.getResponse().getStatusLine().getStatusCode() == 404) return null;
            throw new BackendException("Elasticsearch failed " + method + " " + path + ": " + e.getMessage(), true, e);
        } catch (IOException e) {
            throw unreachable(method + " " + path, e);
        }
    }

    private JsonNode read(Response response) throws IOException {
        if (response.getEntity() == null) return json.createObjectNode();
        try (InputStream in = response.getEntity().getContent()) {
            JsonNode n = json.readTree(in);
            return n == null || n.isMissingNode() ? json.createObjectNode() : n;
        }
    }

    BackendException unreachable(String what, Exception e) {
        return new BackendException("Elasticsearch " + connection.hosts() + " failed to " + what + ": " + e
                + "; check that the cluster is reachable and healthy (GET /_cluster/health)", true, e);
    }
}
