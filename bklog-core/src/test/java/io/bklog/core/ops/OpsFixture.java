package io.bklog.core.ops;

import io.bklog.core.LogPlatform;
import io.bklog.core.indexset.IndexSetSpec;
import io.bklog.core.memory.MemoryLogStore;
import io.bklog.core.memory.MemorySnapshotRepository;
import io.bklog.core.meta.ArchiveConfig;
import io.bklog.core.meta.IndexSet;
import io.bklog.spi.LogDocument;
import io.bklog.testkit.MutableClock;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A memory platform with an in-memory H2, a memory snapshot repository named "archive" and a hand-moved clock. */
final class OpsFixture implements AutoCloseable {
    static final Instant NOW = Instant.parse("2026-03-20T12:00:00Z");

    final MutableClock clock = new MutableClock(NOW);
    final MemoryLogStore store = new MemoryLogStore();
    final MemorySnapshotRepository repo = new MemorySnapshotRepository("archive", store, clock);
    final LogPlatform platform = LogPlatform.builder().store(store).snapshotRepository(repo).clock(clock).build();

    IndexSet indexSet(String name, int retentionDays) {
        platform.indexSets().put(name, new IndexSetSpec(null, null, retentionDays, null, null, null));
        return platform.internals().metadata().indexSets().getByName(name);
    }

    ArchiveConfig archive(IndexSet set, int snapshotDays) {
        return platform.internals().metadata().archiveConfigs().create(ArchiveConfig.of(set.id(), snapshotDays, "archive"));
    }

    /** {@code perDay} documents on each of the days {@code daysAgo}. */
    void ingest(String set, int perDay, int... daysAgo) {
        List<LogDocument> docs = new ArrayList<>();
        for (int d : daysAgo) {
            Instant day = NOW.minusSeconds(86_400L * d);
            for (int i = 0; i < perDay; i++) {
                docs.add(new LogDocument(set + "-" + d + "-" + i, day.plusSeconds(i),
                        Map.of("log", "line " + i + " of day " + d)));
            }
        }
        store.index(set, docs);
        store.refresh(set);
    }

    long count(String set) {
        return platform.search().search(set, new io.bklog.core.search.SearchParams(null, null,
                "2000-01-01 00:00:00", "2100-01-01 00:00:00", 0, 1, null, null, null, null)).total();
    }

    List<String> indices() {
        return store.listIndices("*").stream().map(i -> i.name()).sorted().toList();
    }

    @Override
    public void close() {
        platform.close();
    }
}
