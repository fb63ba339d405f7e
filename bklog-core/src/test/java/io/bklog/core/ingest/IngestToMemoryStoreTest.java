package io.bklog.core.ingest;

import io.bklog.spi.source.SourceLine;

import io.bklog.core.etl.EtlConfig;
import io.bklog.core.etl.EtlField;
import io.bklog.core.etl.EtlParams;
import io.bklog.core.etl.EtlSchema;
import io.bklog.core.memory.InProcessIngestBuffer;
import io.bklog.core.memory.MemoryLogStore;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SearchResult;
import io.bklog.spi.query.Query;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class IngestToMemoryStoreTest {

    @Test
    void groksApacheLinesIntoASearchableIndexSetKeepingUnparsedLines() {
        EtlConfig grok = EtlConfig.of("grok", EtlParams.builder().separatorRegexp("%{COMMONAPACHELOG}").build(), List.of(
                EtlField.time("timestamp", "dd/MMM/yyyy:HH:mm:ss Z", null).withAlias("access_time"),
                EtlField.of("response", "long"), EtlField.of("clientip", "ip")));
        MemoryLogStore store = new MemoryLogStore();
        store.ensureIndexSet(EtlSchema.schema("web", grok));
        InProcessIngestBuffer buffer = new InProcessIngestBuffer(1000);
        try (BatchingSink sink = BatchingSink.builder(store).linger(Duration.ofMillis(20)).build();
             BufferDrainer drainer = new BufferDrainer(buffer, sink);
             IngestPipeline p = IngestPipeline.builder("web").etl(grok).buffer(buffer).build()) {
            IngestPipeline.SubmitResult r = p.submit(List.of(
                    SourceLine.of("web1:/var/log/access.log", 0,
                            "10.0.0.1 - - [10/Oct/2023:13:55:36 +0000] \"GET /a HTTP/1.1\" 200 10", Instant.now()),
                    SourceLine.of("web1:/var/log/access.log", 70,
                            "10.0.0.2 - - [10/Oct/2023:13:55:37 +0000] \"GET /b HTTP/1.1\" 404 -", Instant.now()),
                    SourceLine.of("web1:/var/log/access.log", 140, "garbage line", Instant.now())));
            assertThat(r.accepted()).isTrue();
            await().atMost(10, TimeUnit.SECONDS).until(() -> buffer.pending(BufferDrainer.GROUP) == 0);
        }
        store.refresh("web");
        SearchResult all = store.search(SearchRequest.builder("web").size(10).build());
        assertThat(all.total()).isEqualTo(3);
        SearchResult notFound = store.search(SearchRequest.builder("web").query(new Query.Term("response", "404")).build());
        assertThat(notFound.hits()).singleElement()
                .satisfies(h -> assertThat(h.source()).containsEntry("clientip", "10.0.0.2"));
        SearchResult failed = store.search(SearchRequest.builder("web")
                .query(new Query.Term("__parse_failure", "true")).build());
        assertThat(failed.hits()).singleElement()
                .satisfies(h -> assertThat(h.source()).containsEntry("log", "garbage line"));
    }
}
