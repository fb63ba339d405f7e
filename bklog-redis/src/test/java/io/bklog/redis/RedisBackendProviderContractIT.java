package io.bklog.redis;

import io.bklog.spi.BackendProvider;
import io.bklog.testkit.BackendProviderContract;

import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

class RedisBackendProviderContractIT extends BackendProviderContract {
    private final String prefix = "bklog-it-provider-contract-" + UUID.randomUUID().toString().substring(0, 8);

    @Override
    protected BackendProvider provider() {
        return new RedisBackendProvider();
    }

    @Override
    protected Map<String, String> validSettings(Path dataDir) {
        return Map.of("uri", RedisFixture.URI, "prefix", prefix);
    }

    @Override
    protected Map<String, String> badSettings() {
        return Map.of("visibilityTimeout", "a while", "maxLength", "lots", "queueLengthLimit", "-x");
    }
}
