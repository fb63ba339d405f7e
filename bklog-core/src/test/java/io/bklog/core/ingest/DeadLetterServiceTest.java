package io.bklog.core.ingest;

import io.bklog.core.DirectIngest;
import io.bklog.core.LogPlatform;
import io.bklog.core.collect.IngestRuntime;
import io.bklog.core.indexset.IndexSetSpec;
import io.bklog.core.memory.MemoryLogStore;
import io.bklog.core.search.SearchParams;
import io.bklog.spi.BulkResult;
import io.bklog.spi.IndexInfo;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogDocument;
import io.bklog.spi.LogStore;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SearchResult;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Documents that could not be stored during an outage of the store are answered rejected, kept in the dead letters
 * with the reason, listed, and stored by a replay once the store is back, under their original ids.
 */
class DeadLetterServiceTest {

    /** The in-memory store, with an outage of one index set that can be switched on and off. */
    static final class OutageStore implements LogStore {
        final MemoryLogStore inner = new MemoryLogStore();
        volatile boolean down;

        @Override public String backendName() { return "outage"; }
        @Override public void ensureIndexSet(IndexSetSchema schema) { inner.ensureIndexSet(schema); }
        @Override public Set<String> indexSets() { return inner.indexSets(); }

        @Override
        public BulkResult index(String indexSet, List<LogDocument> documents) {
            if (down && indexSet.equals("app")) {
                List<BulkResult.ItemResult> out = new ArrayList<>();
                for (LogDocument d : documents) out.add(BulkResult.ItemResult.retryable(d.id(), "store unavailable"));
                return new BulkResult(out);
            }
            return inner.index(indexSet, documents);
        }

        @Override public void refresh(String indexSet) { inner.refresh(indexSet); }
        @Override public SearchResult search(SearchRequest request) { return inner.search(request); }
        @Override public List<IndexInfo> listIndices(String p) { return inner.listIndices(p); }
        @Override public void addAlias(String index, String alias) { inner.addAlias(index, alias); }
        @Override public void removeAlias(String index, String alias) { inner.removeAlias(index, alias); }
        @Override public void deleteIndices(Collection<String> indices) { inner.deleteIndices(indices); }
    }

    @Test
    void documentsRefusedDuringAnOutageAreListedAndStoredByAReplayOnceTheStoreIsBack() {
        OutageStore store = new OutageStore();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (LogPlatform p = LogPlatform.builder().store(store).build();
             IngestRuntime rt = IngestRuntime.start(p.ingest(), store, null, p.clock(), BatchingSink.builder(store)
                     .maxAttempts(2).initialBackoff(Duration.ofMillis(1)).linger(Duration.ofMillis(5))
                     .metrics(new IngestMetrics(meters)).name("dl-test"))) {
            p.indexSets().put("app", IndexSetSpec.defaults());
            store.down = true;
            DirectIngest.Result r = rt.ingest("app", List.of(Map.of("log", "first lost"), Map.of("log", "second lost")),
                    true);
            assertThat(r.accepted()).isZero();
            assertThat(r.rejected()).isEqualTo(2);
            assertThat(r.items()).allSatisfy(i -> assertThat(i.reason()).contains("gave up after 2 attempts")
                    .contains("store unavailable").contains("dead letters"));
            assertThat(meters.get("bklog.ingest.dead.letters").tag("reason", "retries_exhausted").counter().count())
                    .isEqualTo(2);

            DeadLetterService dl = new DeadLetterService(store, rt, p.clock());
            DeadLetterService.Page page = dl.list("app", 0, 10);
            assertThat(page.total()).isEqualTo(2);
            assertThat(page.items()).extracting(d -> d.original().get("log"))
                    .containsExactlyInAnyOrder("first lost", "second lost");
            assertThat(page.items()).extracting(DeadLetterService.DeadLetter::docId)
                    .containsExactlyInAnyOrderElementsOf(r.items().stream().map(BulkResult.ItemResult::id).toList());
            assertThat(dl.list("other", 0, 10).total()).isZero();
            assertThat(dl.pendingCount()).isEqualTo(2);

            store.down = false;
            DeadLetterService.Replay replay = dl.replay("app");
            assertThat(replay.replayed()).isEqualTo(2);
            assertThat(replay.stored()).isEqualTo(2);
            assertThat(replay.items()).extracting(BulkResult.ItemResult::status).containsOnly(BulkResult.Status.OK);
            assertThat(p.search().search("app", SearchParams.of("log:lost")).hits())
                    .extracting(SearchResult.Hit::id)
                    .containsExactlyInAnyOrderElementsOf(r.items().stream().map(BulkResult.ItemResult::id).toList());
            assertThat(dl.list("app", 0, 10).total()).as("replayed ones are not listed again").isZero();
            assertThat(dl.pendingCount()).isZero();
            assertThat(dl.replay("app").replayed()).isZero();
        }
    }
}
