package io.bklog.redis;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.fail;

/**
 * The real Redis the ITs talk to (127.0.0.1:6379), with a random key prefix per test class, removed at the end.
 * When Redis is unreachable the test fails saying how to start it.
 */
final class RedisFixture implements AutoCloseable {

    static final String URI = "redis://127.0.0.1:6379";
    static final String HOW_TO_START = "start it with `redis-server --daemonize yes --bind 127.0.0.1 -::1 "
            + "--port 6379 --save \"\" --appendonly no`";

    final RedisClient client;
    final StatefulRedisConnection<String, String> connection;
    final String prefix;
    private final AtomicInteger sub = new AtomicInteger();

    RedisFixture(String name) {
        this.prefix = "bklog-it-" + name + "-" + UUID.randomUUID().toString().substring(0, 8);
        RedisClient c = RedisClient.create(URI);
        c.setDefaultTimeout(Duration.ofSeconds(10));
        StatefulRedisConnection<String, String> conn = null;
        try {
            conn = c.connect();
            conn.sync().ping();
        } catch (RedisException e) {
            c.shutdown(0, 1, TimeUnit.SECONDS);
            fail("Redis is not reachable at " + URI + " (" + e.getMessage() + "); " + HOW_TO_START);
        }
        this.client = c;
        this.connection = conn;
    }

    /** A fresh prefix below the class prefix, for one test. */
    String nextPrefix() {
        return prefix + ":" + sub.incrementAndGet();
    }

    long keyCount() {
        long n = 0;
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> r = connection.sync().scan(cursor, ScanArgs.Builder.matches("*" + prefix + "*").limit(1000));
            n += r.getKeys().size();
            cursor = r;
        } while (!cursor.isFinished());
        return n;
    }

    @Override
    public void close() {
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> r = connection.sync().scan(cursor, ScanArgs.Builder.matches("*" + prefix + "*").limit(1000));
            if (!r.getKeys().isEmpty()) connection.sync().del(r.getKeys().toArray(new String[0]));
            cursor = r;
        } while (!cursor.isFinished());
        connection.close();
        client.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
