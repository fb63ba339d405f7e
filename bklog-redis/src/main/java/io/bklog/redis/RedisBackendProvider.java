package io.bklog.redis;

import io.bklog.spi.Backend;
import io.bklog.spi.BackendConfig;
import io.bklog.spi.BackendProvider;
import io.bklog.spi.DistributedLock;
import io.bklog.spi.HealthIndicator;
import io.bklog.spi.TaskBroker;
import io.lettuce.core.RedisClient;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Backend {@code redis}: task broker, distributed lock and health over one lettuce client.
 *
 * <table>
 *   <tr><th>setting</th><th>default</th></tr>
 *   <tr><td>{@code uri}</td><td>{@code redis://127.0.0.1:6379}</td></tr>
 *   <tr><td>{@code prefix}</td><td>{@code bklog}</td></tr>
 *   <tr><td>{@code visibilityTimeout}</td><td>{@code 5m}</td></tr>
 *   <tr><td>{@code group}</td><td>{@code bklog-workers}</td></tr>
 *   <tr><td>{@code maxLength}</td><td>{@code 1000000} (approximate cap per queue stream)</td></tr>
 *   <tr><td>{@code queues}</td><td>{@code high,default} (measured by health)</td></tr>
 *   <tr><td>{@code queueLengthLimit}</td><td>{@code 10000}</td></tr>
 * </table>
 */
public final class RedisBackendProvider implements BackendProvider {

    /** Every setting this backend reads; any other is refused (docs/config.md). */
    static final java.util.Set<String> SETTINGS = java.util.Set.of("uri", "prefix", "visibilityTimeout", "group", "maxLength", "queues", "queueLengthLimit");

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public Backend create(BackendConfig config) {
        config.refuseUnknownKeys(name(), SETTINGS);
        String uri = config.get("uri", RedisSupport.DEFAULT_URI);
        String prefix = config.get("prefix", RedisTaskBroker.DEFAULT_PREFIX);
        Duration visibility = config.getDuration("visibilityTimeout", RedisTaskBroker.DEFAULT_VISIBILITY_TIMEOUT);
        String group = config.get("group", RedisTaskBroker.DEFAULT_GROUP);
        long maxLength = config.getLong("maxLength", RedisTaskBroker.DEFAULT_MAX_LENGTH);
        List<String> queues = Arrays.stream(config.get("queues", "high,default").split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
        long limit = config.getLong("queueLengthLimit", RedisHealthIndicator.DEFAULT_QUEUE_LENGTH_LIMIT);

        RedisClient client = RedisSupport.createClient(uri);
        RedisTaskBroker broker = null;
        RedisLock lock = null;
        try {
            broker = RedisTaskBroker.builder().client(client).prefix(prefix).group(group)
                    .visibilityTimeout(visibility).maxLength(maxLength).build();
            lock = RedisLock.builder().client(client).prefix(prefix).build();
            RedisHealthIndicator health = RedisHealthIndicator.builder().client(client).broker(broker)
                    .queues(queues).queueLengthLimit(limit).build();
            return new RedisBackend(client, broker, lock, health);
        } catch (RuntimeException e) {
            if (lock != null) lock.close();
            if (broker != null) broker.close();
            RedisSupport.shutdown(client);
            throw e;
        }
    }

    private record RedisBackend(RedisClient client, RedisTaskBroker broker, RedisLock lock,
                                RedisHealthIndicator health) implements Backend {
        @Override
        public String name() {
            return "redis";
        }

        @Override
        public Optional<TaskBroker> taskBroker() {
            return Optional.of(broker);
        }

        @Override
        public Optional<DistributedLock> distributedLock() {
            return Optional.of(lock);
        }

        @Override
        public List<HealthIndicator> healthIndicators() {
            return List.of(health);
        }

        @Override
        public void close() {
            health.close();
            lock.close();
            broker.close();
            RedisSupport.shutdown(client);
        }
    }
}
