package io.bklog.core.memory;

import io.bklog.spi.LogStore;
import io.bklog.testkit.LogStoreContract;

import java.nio.file.Path;

class MemoryLogStoreTest extends LogStoreContract {
    @Override
    protected LogStore createStore(Path dir) {
        return new MemoryLogStore();
    }
}
