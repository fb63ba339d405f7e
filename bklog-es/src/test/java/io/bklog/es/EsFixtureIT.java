package io.bklog.es;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.spi.query.TextAnalysis;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class EsFixtureIT {

    @Test
    void startsASingleNodeThatAnswersClusterHealth() throws Exception {
        EsFixture es = EsFixture.shared();
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(es.url() + "/_cluster/health")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"cluster_name\":\"" + EsFixture.CLUSTER_NAME + "\"");
    }

    @Test
    void patternTokenizerSplitsLikeTextAnalysis() throws Exception {
        EsFixture es = EsFixture.shared();
        String text = "GET /api/v1?user=Zoë_42 failed: Connection-REFUSED 3.14 日本";
        String body = "{\"tokenizer\":{\"type\":\"pattern\",\"pattern\":\""
                + TextAnalysis.SEPARATOR.replace("\\", "\\\\") + "\"},\"filter\":[\"lowercase\"],\"text\":\"" + text + "\"}";
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(es.url() + "/_analyze"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<String> tokens = new ObjectMapper().readTree(r.body()).get("tokens").findValuesAsText("token");
        assertThat(tokens).isEqualTo(TextAnalysis.tokens(text));
    }
}
