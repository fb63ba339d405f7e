package io.bklog.lucene;

import io.bklog.spi.LogStore;
import io.bklog.testkit.LogStoreContract;

import java.nio.file.Path;

class LuceneLogStoreTest extends LogStoreContract {
    @Override
    protected LogStore createStore(Path dir) {
        return LuceneLogStore.builder().dataDir(dir).build();
    }
}
