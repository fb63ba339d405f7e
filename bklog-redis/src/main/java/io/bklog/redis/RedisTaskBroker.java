package io.bklog.redis;

import io.bklog.spi.BackendException;
import io.bklog.spi.TaskBroker;
import io.bklog.spi.TaskDelivery;
import io.bklog.spi.TaskMessage;
import io.lettuce.core.Consumer;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * {@link TaskBroker} on Redis Streams.
 *
 * <ul>
 *   <li>With a Redis Cluster client every key starts with the prefix as a hash tag ({@code {bklog}:queue:default}), so the keys one script
 *       or blocking read touches share a Redis Cluster slot.</li>
 *   <li>One stream per queue, {@code {prefix}:queue:{name}}, read by one consumer group (default
 *       {@code bklog-workers}); {@code XADD ... MAXLEN ~ maxLength} bounds each stream.</li>
 *   <li>{@link #receive} runs one Lua script (one round trip): at most every 100 ms, and whenever nothing
 *       new is waiting, it moves due delayed messages into their stream and reclaims ({@code XAUTOCLAIM}) a
 *       message idle past the visibility timeout from the first queue that
 *       has one (its deliveries read back with {@code XPENDING}), else reads a new one ({@code XREADGROUP})
 *       from the first non-empty queue, in the given order. With nothing to read it blocks on a connection of
 *       its consumer ({@code XREADGROUP BLOCK}, at most 1 s at a time) until {@code wait} passes.</li>
 *   <li>{@link #ack} is {@code XACK} + {@code XDEL}; {@link #deadLetter} appends to
 *       {@code {prefix}:dead:{queue}} (with {@code reason} and {@code at}) and acknowledges, atomically.</li>
 *   <li>A message with {@code notBeforeMillis} in the future (on the injected clock) waits in the sorted set
 *       {@code {prefix}:delayed:{queue}} until it is due.</li>
 *   <li>{@link #queueLength} = entries not yet delivered ({@code XLEN} − pending) + delayed ones.</li>
 * </ul>
 */
public final class RedisTaskBroker implements TaskBroker {

    private static final Logger log = LoggerFactory.getLogger(RedisTaskBroker.class);

    /** Default key prefix. */
    public static final String DEFAULT_PREFIX = "bklog";
    /** Default consumer group. */
    public static final String DEFAULT_GROUP = "bklog-workers";
    /** Default visibility timeout: 5 minutes. */
    public static final Duration DEFAULT_VISIBILITY_TIMEOUT = Duration.ofMinutes(5);
    /** Default approximate cap of a queue stream: 1,000,000 entries. */
    public static final long DEFAULT_MAX_LENGTH = 1_000_000;
    /** Default approximate cap of a dead-letter stream: 100,000 entries. */
    public static final long DEFAULT_DEAD_LETTER_MAX_LENGTH = 100_000;

    private static final long MAX_BLOCK_MILLIS = 1_000;
    private static final int MOVE_BATCH = 100;
    /** Due delayed messages and expired deliveries are looked for at least this often, and whenever idle. */
    private static final long MAINTENANCE_INTERVAL_NANOS = 100_000_000L;

    private static final LuaScript RECEIVE = new LuaScript("""
            local group, consumer, now, minIdle, maxlen, batch = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
            local maintain = ARGV[7] == '1'
            local n = #KEYS / 2
            if maintain then
              for i = 1, n do
                local stream, delayed = KEYS[2 * i - 1], KEYS[2 * i]
                local due = redis.call('ZRANGEBYSCORE', delayed, '-inf', now, 'LIMIT', 0, batch)
                for _, member in ipairs(due) do
                  local sep = string.find(member, '|', 1, true)
                  redis.call('XADD', stream, 'MAXLEN', '~', maxlen, '*', 'm', string.sub(member, sep + 1))
                  redis.call('ZREM', delayed, member)
                end
              end
              for i = 1, n do
                local stream = KEYS[2 * i - 1]
                local claimed = redis.call('XAUTOCLAIM', stream, group, consumer, minIdle, '0-0', 'COUNT', 1)
                local entry = claimed[2][1]
                if entry and entry[2] then
                  local id = entry[1]
                  local p = redis.call('XPENDING', stream, group, id, id, 1)
                  local deliveries = 2
                  if p[1] then deliveries = p[1][4] end
                  return {i, id, entry[2][2], deliveries}
                end
              end
            end
            for i = 1, n do
              local stream = KEYS[2 * i - 1]
              local r = redis.call('XREADGROUP', 'GROUP', group, consumer, 'COUNT', 1, 'STREAMS', stream, '>')
              if r and r[1] and r[1][2][1] then
                local entry = r[1][2][1]
                return {i, entry[1], entry[2][2], 1}
              end
            end
            return false
            """);

    private static final LuaScript ACK = new LuaScript("""
            redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
            return redis.call('XDEL', KEYS[1], ARGV[2])
            """);

    private static final LuaScript DEAD_LETTER = new LuaScript("""
            redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[6], '*', 'm', ARGV[3], 'reason', ARGV[4], 'at', ARGV[5])
            redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
            return redis.call('XDEL', KEYS[1], ARGV[2])
            """);

    /** Resets the idle time of a pending entry still held by this consumer in this delivery (no counter change). */
    private static final LuaScript EXTEND = new LuaScript("""
            local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)
            if not p[1] or p[1][2] ~= ARGV[2] or tostring(p[1][4]) ~= ARGV[4] then return 0 end
            local c = redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[3], 'JUSTID')
            if c[1] then return 1 end
            return 0
            """);

    private static final LuaScript QUEUE_LENGTH = new LuaScript("""
            local len = redis.call('XLEN', KEYS[1])
            local pending = 0
            if len > 0 then
              local p = redis.pcall('XPENDING', KEYS[1], ARGV[1])
              if type(p) == 'table' and p[1] then pending = p[1] end
            end
            local waiting = len - pending
            if waiting < 0 then waiting = 0 end
            return waiting + redis.call('ZCARD', KEYS[2])
            """);

    private final AbstractRedisClient client;
    private final boolean ownsClient;
    private final String prefix;
    private final String group;
    private final Duration visibilityTimeout;
    private final long maxLength;
    private final long deadLetterMaxLength;
    private final Clock clock;
    private final ReplicaWait replicaWait;
    private final StatefulConnection<String, String> connection;
    private final RedisClusterCommands<String, String> cmd;
    private final Map<String, StatefulConnection<String, String>> blockingConnections = new ConcurrentHashMap<>();
    private final Map<String, Deque<TaskDelivery>> prefetched = new ConcurrentHashMap<>();
    private final Set<String> groupsReady = ConcurrentHashMap.newKeySet();
    private final String nonce = UUID.randomUUID().toString().substring(0, 8);
    private final AtomicLong delayedSequence = new AtomicLong();
    private final AtomicLong lastMaintenance = new AtomicLong(System.nanoTime() - MAINTENANCE_INTERVAL_NANOS);
    private volatile boolean closed;

    private RedisTaskBroker(Builder b) {
        this.replicaWait = b.replicaWait();
        RedisSupport.Client c = b.openClient();
        this.ownsClient = c.owned();
        this.client = c.client();
        this.prefix = b.storedPrefix(b.prefix);
        this.group = b.group;
        this.visibilityTimeout = b.visibilityTimeout;
        this.maxLength = b.maxLength;
        this.deadLetterMaxLength = b.deadLetterMaxLength;
        this.clock = b.clock;
        this.connection = c.connect();
        this.cmd = RedisSupport.sync(connection);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String backendName() {
        return "redis";
    }

    /** The stream key of a queue: {@code {prefix}:queue:{name}}. */
    public String streamKey(String queue) {
        return prefix + ":queue:" + queue;
    }

    /** The dead-letter stream key of a queue: {@code {prefix}:dead:{name}}. */
    public String deadLetterKey(String queue) {
        return prefix + ":dead:" + queue;
    }

    /** The delayed sorted-set key of a queue: {@code {prefix}:delayed:{name}}. */
    public String delayedKey(String queue) {
        return prefix + ":delayed:" + queue;
    }

    @Override
    public String publish(TaskMessage message) {
        Objects.requireNonNull(message, "message");
        requireQueueName(message.queue());
        checkOpen();
        String payload = MessageCodec.encode(message);
        if (message.notBeforeMillis() > clock.millis()) {
            String member = nonce + "-" + delayedSequence.incrementAndGet();
            call("publish", () -> cmd.zadd(delayedKey(message.queue()), (double) message.notBeforeMillis(),
                    member + "|" + payload));
            ensureGroup(message.queue());
            replicaWait.afterWrite(cmd, "publish");
            return "delayed:" + member;
        }
        ensureGroup(message.queue());
        String id = call("publish", () -> cmd.xadd(streamKey(message.queue()),
                XAddArgs.Builder.maxlen(maxLength).approximateTrimming(), Map.of("m", payload)));
        replicaWait.afterWrite(cmd, "publish");
        return id;
    }

    @Override
    public Optional<TaskDelivery> receive(List<String> queues, String consumer, Duration wait) {
        if (queues == null || queues.isEmpty()) {
            throw new IllegalArgumentException("receive needs at least one queue name, in priority order");
        }
        queues.forEach(RedisTaskBroker::requireQueueName);
        if (consumer == null || consumer.isBlank()) throw new IllegalArgumentException("consumer must not be blank");
        long waitMillis = wait == null || wait.isNegative() ? 0 : wait.toMillis();
        long deadline = System.nanoTime() + waitMillis * 1_000_000L;
        queues.forEach(this::ensureGroup);

        Optional<TaskDelivery> buffered = takePrefetched(consumer, queues);
        if (buffered.isPresent()) return buffered;
        while (!closed) {
            Optional<TaskDelivery> d = receiveNow(queues, consumer);
            if (d.isPresent()) return d;
            long remaining = (deadline - System.nanoTime()) / 1_000_000L;
            if (remaining <= 0) return Optional.empty();
            d = blockingRead(queues, consumer, Math.min(remaining, MAX_BLOCK_MILLIS));
            if (d.isPresent()) return d;
        }
        return Optional.empty();
    }

    private Optional<TaskDelivery> receiveNow(List<String> queues, String consumer) {
        long now = System.nanoTime();
        long last = lastMaintenance.get();
        boolean maintain = now - last >= MAINTENANCE_INTERVAL_NANOS && lastMaintenance.compareAndSet(last, now);
        Optional<TaskDelivery> d = receiveNow(queues, consumer, maintain);
        if (d.isEmpty() && !maintain) {
            lastMaintenance.set(System.nanoTime());
            d = receiveNow(queues, consumer, true);
        }
        return d;
    }

    private Optional<TaskDelivery> receiveNow(List<String> queues, String consumer, boolean maintain) {
        String[] keys = new String[queues.size() * 2];
        for (int i = 0; i < queues.size(); i++) {
            keys[2 * i] = streamKey(queues.get(i));
            keys[2 * i + 1] = delayedKey(queues.get(i));
        }
        List<Object> r = call("receive", () -> RECEIVE.run(cmd, ScriptOutputType.MULTI, keys, group, consumer,
                Long.toString(clock.millis()), Long.toString(visibilityTimeout.toMillis()),
                Long.toString(maxLength), Integer.toString(MOVE_BATCH), maintain ? "1" : "0"));
        if (r == null || r.isEmpty() || r.get(0) == null) return Optional.empty();
        int queueIndex = ((Long) r.get(0)).intValue() - 1;
        String id = (String) r.get(1);
        String payload = (String) r.get(2);
        int deliveries = ((Long) r.get(3)).intValue();
        TaskDelivery d = delivery(queues.get(queueIndex), id, payload, deliveries);
        return d != null ? Optional.of(d) : receiveNow(queues, consumer, maintain);
    }

    @SuppressWarnings("unchecked")
    private Optional<TaskDelivery> blockingRead(List<String> queues, String consumer, long blockMillis) {
        StatefulConnection<String, String> conn = blockingConnections.computeIfAbsent(consumer,
                c -> RedisSupport.connect(client));
        XReadArgs.StreamOffset<String>[] offsets = new XReadArgs.StreamOffset[queues.size()];
        for (int i = 0; i < queues.size(); i++) offsets[i] = XReadArgs.StreamOffset.lastConsumed(streamKey(queues.get(i)));
        List<StreamMessage<String, String>> got;
        try {
            got = call("receive", () -> RedisSupport.sync(conn).xreadgroup(Consumer.from(group, consumer),
                    XReadArgs.Builder.block(Math.max(1, blockMillis)).count(1), offsets));
        } catch (BackendException e) {
            if (closed) return Optional.empty();
            throw e;
        }
        if (got == null || got.isEmpty()) return Optional.empty();
        List<TaskDelivery> deliveries = new ArrayList<>(got.size());
        for (String queue : queues) {
            String key = streamKey(queue);
            for (StreamMessage<String, String> m : got) {
                if (m.getStream().equals(key)) {
                    TaskDelivery d = delivery(queue, m.getId(), m.getBody() == null ? null : m.getBody().get("m"), 1);
                    if (d != null) deliveries.add(d);
                }
            }
        }
        if (deliveries.isEmpty()) return Optional.empty();
        if (deliveries.size() > 1) {
            prefetched.computeIfAbsent(consumer, c -> new ConcurrentLinkedDeque<>())
                    .addAll(deliveries.subList(1, deliveries.size()));
        }
        return Optional.of(deliveries.get(0));
    }

    private Optional<TaskDelivery> takePrefetched(String consumer, List<String> queues) {
        Deque<TaskDelivery> buffer = prefetched.get(consumer);
        if (buffer == null || buffer.isEmpty()) return Optional.empty();
        for (Iterator<TaskDelivery> it = buffer.iterator(); it.hasNext(); ) {
            TaskDelivery d = it.next();
            if (queues.contains(d.message().queue())) {
                it.remove();
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    /** Decodes an entry; a foreign or corrupt one is dead-lettered with the reason (so it never blocks its queue). */
    private TaskDelivery delivery(String queue, String id, String payload, int deliveries) {
        try {
            return new TaskDelivery(MessageCodec.decode(payload), id, deliveries);
        } catch (IllegalArgumentException e) {
            log.warn("event=corrupt_task_message queue={} id={} error=\"{}\"", queue, id, e.getMessage());
            TaskMessage placeholder = TaskMessage.of(id, queue, "<corrupt>",
                    Map.of("payload", payload == null ? "" : payload));
            deadLetter(new TaskDelivery(placeholder, id, deliveries), "corrupt message: " + e.getMessage());
            return null;
        }
    }

    /** {@code XCLAIM ... JUSTID} by the holding consumer: its idle time starts again, the delivery count stays. */
    @Override
    public boolean extendVisibility(TaskDelivery delivery, String consumer) {
        Objects.requireNonNull(delivery, "delivery");
        Long r = call("extendVisibility", () -> EXTEND.run(cmd, ScriptOutputType.INTEGER,
                new String[]{streamKey(delivery.message().queue())}, group, consumer, delivery.receipt(),
                Integer.toString(delivery.deliveries())));
        return r != null && r == 1L;
    }

    @Override
    public void ack(TaskDelivery delivery) {
        Objects.requireNonNull(delivery, "delivery");
        String queue = delivery.message().queue();
        call("ack", () -> ACK.run(cmd, ScriptOutputType.INTEGER, new String[]{streamKey(queue)}, group,
                delivery.receipt()));
    }

    @Override
    public void deadLetter(TaskDelivery delivery, String reason) {
        Objects.requireNonNull(delivery, "delivery");
        String queue = delivery.message().queue();
        call("deadLetter", () -> DEAD_LETTER.run(cmd, ScriptOutputType.INTEGER,
                new String[]{streamKey(queue), deadLetterKey(queue)}, group, delivery.receipt(),
                MessageCodec.encode(delivery.message()), reason == null ? "" : reason,
                Long.toString(clock.millis()), Long.toString(deadLetterMaxLength)));
    }

    @Override
    public List<DeadLetter> deadLetters(String queue, int limit) {
        requireQueueName(queue);
        if (limit <= 0) return List.of();
        List<StreamMessage<String, String>> entries = call("deadLetters",
                () -> cmd.xrange(deadLetterKey(queue), Range.create("-", "+"), Limit.from(limit)));
        List<DeadLetter> out = new ArrayList<>(entries.size());
        for (StreamMessage<String, String> e : entries) {
            Map<String, String> body = e.getBody();
            TaskMessage m;
            try {
                m = MessageCodec.decode(body.getOrDefault("m", ""));
            } catch (IllegalArgumentException ex) {
                m = TaskMessage.of(e.getId(), queue, "<corrupt>", Map.of("payload", body.getOrDefault("m", "")));
            }
            long at = parseLong(body.get("at"));
            out.add(new DeadLetter(m, body.getOrDefault("reason", ""), at));
        }
        return List.copyOf(out);
    }

    @Override
    public long queueLength(String queue) {
        requireQueueName(queue);
        Long n = call("queueLength", () -> QUEUE_LENGTH.run(cmd, ScriptOutputType.INTEGER,
                new String[]{streamKey(queue), delayedKey(queue)}, group));
        return n == null ? 0 : n;
    }

    @Override
    public Duration visibilityTimeout() {
        return visibilityTimeout;
    }

    /** The key prefix of this broker. */
    public String prefix() {
        return prefix;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        blockingConnections.values().forEach(RedisSupport::closeQuietly);
        blockingConnections.clear();
        RedisSupport.closeQuietly(connection);
        if (ownsClient) RedisSupport.shutdown(client);
    }

    private void ensureGroup(String queue) {
        String key = streamKey(queue);
        if (groupsReady.contains(key)) return;
        try {
            call("createGroup", () -> cmd.xgroupCreate(XReadArgs.StreamOffset.from(key, "0"), group,
                    XGroupCreateArgs.Builder.mkstream()));
        } catch (BackendException e) {
            if (!(e.getCause() instanceof RedisCommandExecutionException rce
                    && String.valueOf(rce.getMessage()).startsWith("BUSYGROUP"))) {
                throw e;
            }
        }
        groupsReady.add(key);
    }

    private <T> T call(String op, Supplier<T> f) {
        checkOpen();
        try {
            return f.get();
        } catch (RedisCommandExecutionException e) {
            if (String.valueOf(e.getMessage()).startsWith("NOGROUP")) {
                // the stream was deleted under us: recreate groups on the next call
                groupsReady.clear();
            }
            throw new BackendException("redis task broker: " + op + " failed: " + e.getMessage(), e);
        } catch (RedisException e) {
            throw new BackendException("redis task broker: " + op + " failed (is Redis reachable?): "
                    + e.getMessage(), e);
        }
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("redis task broker is closed");
    }

    private static long parseLong(String s) {
        try {
            return s == null ? 0 : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static void requireQueueName(String queue) {
        if (queue == null || queue.isBlank()) {
            throw new IllegalArgumentException("queue name must not be blank (e.g. '" + QUEUE_DEFAULT + "')");
        }
    }

    /** Options of a {@link RedisTaskBroker}. */
    public static final class Builder extends RedisClientOptions<Builder> {
        private String prefix = DEFAULT_PREFIX;
        private String group = DEFAULT_GROUP;
        private Duration visibilityTimeout = DEFAULT_VISIBILITY_TIMEOUT;
        private long maxLength = DEFAULT_MAX_LENGTH;
        private long deadLetterMaxLength = DEFAULT_DEAD_LETTER_MAX_LENGTH;
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        /** Key prefix; default {@code bklog}. */
        public Builder prefix(String prefix) {
            this.prefix = Objects.requireNonNull(prefix, "prefix");
            return this;
        }

        /** Consumer group name; default {@code bklog-workers}. */
        public Builder group(String group) {
            this.group = Objects.requireNonNull(group, "group");
            return this;
        }

        /** How long a delivered message stays invisible; default 5 minutes. */
        public Builder visibilityTimeout(Duration visibilityTimeout) {
            this.visibilityTimeout = Objects.requireNonNull(visibilityTimeout, "visibilityTimeout");
            return this;
        }

        /** Approximate cap of each queue stream ({@code MAXLEN ~}); default 1,000,000. */
        public Builder maxLength(long maxLength) {
            this.maxLength = maxLength;
            return this;
        }

        /** Approximate cap of each dead-letter stream; default 100,000. */
        public Builder deadLetterMaxLength(long deadLetterMaxLength) {
            this.deadLetterMaxLength = deadLetterMaxLength;
            return this;
        }

        /** Clock deciding when a delayed message is due; default system UTC. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public RedisTaskBroker build() {
            if (prefix.isBlank()) throw new IllegalArgumentException("redis prefix must not be blank");
            if (group.isBlank()) throw new IllegalArgumentException("redis consumer group must not be blank");
            if (visibilityTimeout.toMillis() < 1) {
                throw new IllegalArgumentException("visibilityTimeout must be at least 1 ms, got " + visibilityTimeout);
            }
            if (maxLength < 1) throw new IllegalArgumentException("maxLength must be >= 1, got " + maxLength);
            if (deadLetterMaxLength < 1) {
                throw new IllegalArgumentException("deadLetterMaxLength must be >= 1, got " + deadLetterMaxLength);
            }
            return new RedisTaskBroker(this);
        }
    }
}
