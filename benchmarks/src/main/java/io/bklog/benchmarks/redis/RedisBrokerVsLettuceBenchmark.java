package io.bklog.benchmarks.redis;

import io.bklog.redis.RedisTaskBroker;
import io.bklog.spi.TaskBroker;
import io.bklog.spi.TaskDelivery;
import io.bklog.spi.TaskMessage;
import io.lettuce.core.Consumer;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Load driver: tasks per second through {@link RedisTaskBroker} (publish, receive from {@code high, default} as a
 * worker does, ack) against a raw lettuce loop doing the least the same job needs on one stream (XADD, XREADGROUP
 * COUNT 1, XACK), one task at a time on one thread each, against the Redis at {@code redis://127.0.0.1:6379} (or the
 * first argument). Short rounds alternate (and swap which side goes first) to share any machine noise; the median
 * of the per-round ratios is printed:
 * {@code redis-broker/raw-lettuce = 0.xx}. Keys live under a random prefix removed at the end.
 *
 * <p>Run: {@code java -cp <benchmarks classpath> io.bklog.benchmarks.redis.RedisBrokerVsLettuceBenchmark [uri] [tasks] [rounds]}
 */
public final class RedisBrokerVsLettuceBenchmark {

    private RedisBrokerVsLettuceBenchmark() {}

    public static void main(String[] args) {
        String uri = args.length > 0 ? args[0] : "redis://127.0.0.1:6379";
        int tasks = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 21;
        String prefix = "bklog-bench-" + UUID.randomUUID().toString().substring(0, 8);
        RedisClient client = RedisClient.create(uri);
        try (StatefulRedisConnection<String, String> conn = client.connect();
             RedisTaskBroker broker = RedisTaskBroker.builder().client(client).prefix(prefix + ":broker")
                     .visibilityTimeout(Duration.ofMinutes(5)).build()) {
            RedisCommands<String, String> raw = conn.sync();
            String stream = prefix + ":raw";
            raw.xgroupCreate(XReadArgs.StreamOffset.from(stream, "0"), "g", XGroupCreateArgs.Builder.mkstream());

            // warm-up: JIT, script cache, connections
            rawLoop(raw, stream, 2 * tasks);
            brokerLoop(broker, 2 * tasks);

            // short rounds, alternating which side goes first, so load changes on a shared machine hit both alike;
            // the ratio is the median of the per-round ratios
            List<Double> rawRates = new ArrayList<>();
            List<Double> brokerRates = new ArrayList<>();
            List<Double> ratios = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                double rawRate;
                double brokerRate;
                if (r % 2 == 0) {
                    rawRate = rawLoop(raw, stream, tasks);
                    brokerRate = brokerLoop(broker, tasks);
                } else {
                    brokerRate = brokerLoop(broker, tasks);
                    rawRate = rawLoop(raw, stream, tasks);
                }
                rawRates.add(rawRate);
                brokerRates.add(brokerRate);
                ratios.add(brokerRate / rawRate);
            }
            System.out.printf(Locale.ROOT, "raw-lettuce    %,10.0f tasks/s (median of %d rounds of %d)%n",
                    median(rawRates), rounds, tasks);
            System.out.printf(Locale.ROOT, "redis-broker   %,10.0f tasks/s%n", median(brokerRates));
            System.out.printf(Locale.ROOT, "redis-broker/raw-lettuce = %.2f%n", median(ratios));
            cleanUp(raw, prefix);
        } finally {
            client.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }

    private static double rawLoop(RedisCommands<String, String> raw, String stream, int n) {
        Consumer<String> consumer = Consumer.from("g", "c1");
        XReadArgs.StreamOffset<String> offset = XReadArgs.StreamOffset.lastConsumed(stream);
        XReadArgs count1 = XReadArgs.Builder.count(1);
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            raw.xadd(stream, Map.of("m", "task-" + i));
            List<StreamMessage<String, String>> got = raw.xreadgroup(consumer, count1, offset);
            raw.xack(stream, "g", got.get(0).getId());
        }
        return n / ((System.nanoTime() - start) / 1e9);
    }

    private static double brokerLoop(TaskBroker broker, int n) {
        List<String> queues = List.of(TaskBroker.QUEUE_HIGH, TaskBroker.QUEUE_DEFAULT);
        Map<String, String> args = Map.of("index_set_id", "12");
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            broker.publish(TaskMessage.of("task-" + i, TaskBroker.QUEUE_DEFAULT, "bench", args));
            TaskDelivery d = broker.receive(queues, "c1", Duration.ZERO).orElseThrow();
            broker.ack(d);
        }
        return n / ((System.nanoTime() - start) / 1e9);
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }

    private static void cleanUp(RedisCommands<String, String> cmd, String prefix) {
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> r = cmd.scan(cursor, ScanArgs.Builder.matches(prefix + "*").limit(1000));
            if (!r.getKeys().isEmpty()) cmd.del(r.getKeys().toArray(new String[0]));
            cursor = r;
        } while (!cursor.isFinished());
    }
}
