package io.bklog.es;

import io.bklog.spi.LogStore;
import io.bklog.spi.SnapshotRepository;
import io.bklog.testkit.SnapshotRepositoryContract;

import java.nio.file.Path;

/** The shared SnapshotRepository contract on the real node's fs repository (below its path.repo). */
class EsSnapshotRepositoryIT extends SnapshotRepositoryContract {

    @Override
    protected LogStore createStore(Path dir) {
        EsFixture es = EsFixture.shared();
        EsFixture.wipeBklogData(es.url());
        return EsLogStore.builder().hosts(es.url()).build();
    }

    @Override
    protected SnapshotRepository createRepository(LogStore store, Path dir) {
        EsFixture es = EsFixture.shared();
        return EsSnapshotRepository.builder().connection(((EsLogStore) store).connection()).name("contract_repo")
                .location(es.repoDir().resolve("contract_repo").toString()).build();
    }
}
