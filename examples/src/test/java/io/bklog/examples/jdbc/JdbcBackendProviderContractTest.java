package io.bklog.examples.jdbc;

import io.bklog.spi.BackendProvider;
import io.bklog.testkit.BackendProviderContract;

import java.nio.file.Path;
import java.util.Map;

/** The third-party example backend passes the same provider contract as the built-in ones. */
class JdbcBackendProviderContractTest extends BackendProviderContract {
    @Override
    protected BackendProvider provider() {
        return new JdbcBackendProvider();
    }

    @Override
    protected Map<String, String> validSettings(Path dataDir) {
        return Map.of("url", "jdbc:h2:" + dataDir.resolve("locks").toAbsolutePath(), "pool.size", "2");
    }

    @Override
    protected Map<String, String> badSettings() {
        return Map.of("url", "postgres://db/bklog", "pool.size", "0");
    }
}
