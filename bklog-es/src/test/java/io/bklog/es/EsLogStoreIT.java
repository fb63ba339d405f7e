package io.bklog.es;

import io.bklog.spi.LogStore;
import io.bklog.testkit.LogStoreContract;

import java.nio.file.Path;

/** The shared LogStore contract on the real Elasticsearch node. */
class EsLogStoreIT extends LogStoreContract {

    @Override
    protected LogStore createStore(Path dir) {
        EsFixture es = EsFixture.shared();
        EsFixture.wipeBklogData(es.url());
        return EsLogStore.builder().hosts(es.url()).build();
    }
}
