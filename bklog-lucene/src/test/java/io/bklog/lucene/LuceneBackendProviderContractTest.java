package io.bklog.lucene;

import io.bklog.spi.BackendProvider;
import io.bklog.testkit.BackendProviderContract;

import java.nio.file.Path;
import java.util.Map;

class LuceneBackendProviderContractTest extends BackendProviderContract {
    @Override
    protected BackendProvider provider() {
        return new LuceneBackendProvider();
    }

    @Override
    protected Map<String, String> validSettings(Path dataDir) {
        return Map.of("path", dataDir.resolve("lucene").toString(), "refresh.interval", "200ms");
    }

    @Override
    protected Map<String, String> badSettings() {
        return Map.of("commit.mode", "sometimes", "commit.interval", "soon", "refresh.interval", "5s",
                "ram_buffer_mb", "0");
    }
}
