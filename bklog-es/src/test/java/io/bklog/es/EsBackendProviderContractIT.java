package io.bklog.es;

import io.bklog.spi.BackendProvider;
import io.bklog.testkit.BackendProviderContract;

import java.nio.file.Path;
import java.util.Map;

class EsBackendProviderContractIT extends BackendProviderContract {
    @Override
    protected BackendProvider provider() {
        return new EsBackendProvider();
    }

    @Override
    protected Map<String, String> validSettings(Path dataDir) {
        return Map.of("hosts", EsFixture.shared().url(), "request.timeout", "30s");
    }

    @Override
    protected Map<String, String> badSettings() {
        return Map.of("request.timeout", "later", "bulk.max.retries", "many", "index.prefix", "Not Lower Case",
                "health.heap.max.percent", "ninety");
    }
}
