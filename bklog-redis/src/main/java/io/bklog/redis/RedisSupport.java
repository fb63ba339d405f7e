package io.bklog.redis;

import io.bklog.spi.BackendException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Creating, connecting and closing lettuce clients with errors that say what to check. */
final class RedisSupport {

    static final String DEFAULT_URI = "redis://127.0.0.1:6379";

    private RedisSupport() {}

    /** A client and whether the component using it owns it (made it, so shuts it down). */
    record Client(RedisClient client, boolean owned) {
        /** A connection; when it cannot be made, an owned client is shut down before the error is thrown. */
        StatefulRedisConnection<String, String> connect() {
            try {
                return RedisSupport.connect(client);
            } catch (RuntimeException e) {
                if (owned) shutdown(client);
                throw e;
            }
        }
    }

    static RedisClient createClient(String uri) {
        RedisURI parsed;
        try {
            parsed = RedisURI.create(uri);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("setting 'uri' has a bad value '" + uri
                    + "': expected redis://[password@]host[:port][/database], e.g. " + DEFAULT_URI, e);
        }
        if (parsed.getTimeout() == null || parsed.getTimeout().compareTo(Duration.ofSeconds(60)) > 0) {
            parsed.setTimeout(Duration.ofSeconds(60));
        }
        return RedisClient.create(parsed);
    }

    static StatefulRedisConnection<String, String> connect(RedisClient client) {
        try {
            return client.connect();
        } catch (RedisException e) {
            throw new BackendException("cannot connect to Redis: " + e.getMessage()
                    + "; check the 'uri' setting and that Redis is running", e);
        }
    }

    static void closeQuietly(StatefulRedisConnection<?, ?> c) {
        try {
            c.close();
        } catch (RuntimeException ignored) {
            // closing anyway
        }
    }

    static void shutdown(RedisClient client) {
        try {
            client.shutdown(0, 2, TimeUnit.SECONDS);
        } catch (RuntimeException ignored) {
            // closing anyway
        }
    }
}
