package io.bklog.core.memory;

import io.bklog.spi.BulkResult;
import io.bklog.spi.LogDocument;
import io.bklog.spi.LogStore;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SearchResult;
import io.bklog.spi.query.Aggregation;
import io.bklog.spi.query.Query;
import io.bklog.testkit.LogStoreContract;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MemoryLogStoreTest extends LogStoreContract {

    @Override
    protected LogStore createStore(Path dir) {
        return new MemoryLogStore();
    }

    @Test
    void backendNameIsMemory() {
        assertThat(store.backendName()).isEqualTo("memory");
    }

    @Test
    void concurrentWritersAndReadersSeeEveryDocumentOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int writer = w;
                futures.add(pool.submit(() -> {
                    for (int batch = 0; batch < 10; batch++) {
                        List<LogDocument> docs = new ArrayList<>();
                        for (int i = 0; i < 50; i++) {
                            docs.add(new LogDocument("c" + writer + "_" + batch + "_" + i,
                                    Instant.parse("2024-03-02T10:00:00Z").plusSeconds(i),
                                    Map.of("log", "concurrent line", "status", 200L)));
                        }
                        BulkResult r = store.index(NGINX, docs);
                        assertThat(r.allOk()).isTrue();
                    }
                    return null;
                }));
            }
            for (int r = 0; r < 2; r++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        SearchResult res = store.search(SearchRequest.builder(NGINX).size(0)
                                .query(new Query.Term("log", "concurrent"))
                                .aggregation("s", new Aggregation.Stats("status")).build());
                        assertThat(res.total()).isBetween(0L, 2000L);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.search(SearchRequest.builder(NGINX).size(0).build()).total()).isEqualTo(2024);
    }

    @Test
    void searchAfterWithTheWrongNumberOfValuesIsRejected() {
        assertThatThrownBy(() -> store.search(SearchRequest.builder(NGINX).searchAfter(List.of(1L)).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("searchAfter has 1 values");
    }

    @Test
    void anInvalidRegexIsRejectedNamingThePattern() {
        assertThatThrownBy(() -> store.search(SearchRequest.builder(NGINX)
                .query(new Query.Regex("path", "/api/[v")).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("/api/[v");
    }
}
