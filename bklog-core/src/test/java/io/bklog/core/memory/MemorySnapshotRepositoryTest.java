package io.bklog.core.memory;

import io.bklog.spi.LogStore;
import io.bklog.spi.SnapshotRepository;
import io.bklog.testkit.SnapshotRepositoryContract;

import java.nio.file.Path;

class MemorySnapshotRepositoryTest extends SnapshotRepositoryContract {
    @Override
    protected LogStore createStore(Path dir) {
        return new MemoryLogStore();
    }

    @Override
    protected SnapshotRepository createRepository(LogStore store, Path dir) {
        return new MemorySnapshotRepository("memory", (MemoryLogStore) store);
    }
}
