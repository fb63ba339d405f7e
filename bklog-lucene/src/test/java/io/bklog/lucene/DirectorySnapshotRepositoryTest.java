package io.bklog.lucene;

import io.bklog.spi.LogStore;
import io.bklog.spi.SnapshotRepository;
import io.bklog.testkit.SnapshotRepositoryContract;

import java.nio.file.Path;

class DirectorySnapshotRepositoryTest extends SnapshotRepositoryContract {
    @Override
    protected LogStore createStore(Path dir) {
        return LuceneLogStore.builder().dataDir(dir).build();
    }

    @Override
    protected SnapshotRepository createRepository(LogStore store, Path dir) {
        return DirectorySnapshotRepository.builder().path(dir).store((LuceneLogStore) store).build();
    }
}
