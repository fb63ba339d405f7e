package io.bklog.kafka;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Tells whether a broker's listener accepts a TCP connection, for {@link KafkaHealthIndicator}: each answer is kept
 * for {@code ttl} (a flood of unauthenticated /healthz requests makes at most one connect per broker per ttl, so a
 * SASL/TLS listener logs few handshake failures); the host name is resolved on a daemon thread and waited for at
 * most the time left (an unanswered DNS lookup does not hold the check), its address kept for {@value #RESOLVED_TTL_S} s;
 * past the deadline nothing is tried. {@link Result#UNKNOWN} (no time left, or the name not resolved in time) does
 * not count a broker as down.
 */
final class BrokerProbe {

    enum Result { ACCEPTS, SILENT, UNKNOWN }

    static final int RESOLVED_TTL_S = 60;
    private static final long CONNECT_MAX_MS = 500;

    /** one resolver thread per name being resolved at most (the futures are shared), daemon: a hung lookup holds no shutdown */
    private static final ExecutorService RESOLVER = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "bklog-kafka-health-resolve");
        t.setDaemon(true);
        return t;
    });

    private record Answer(Result result, long atNanos) { }
    private record Resolved(CompletableFuture<InetAddress> address, long atNanos) { }

    private final Duration ttl;
    private final LongSupplier nanoTime;
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final Map<String, Resolved> resolved = new ConcurrentHashMap<>();

    BrokerProbe(Duration ttl, LongSupplier nanoTime) {
        this.ttl = ttl;
        this.nanoTime = nanoTime;
    }

    /** Whether {@code host:port} accepts a connection, trying at most until {@code deadlineNanos} (of {@code nanoTime}). */
    Result probe(String host, int port, long deadlineNanos) {
        String key = host + ":" + port;
        long now = nanoTime.getAsLong();
        Answer cached = answers.get(key);
        if (cached != null && now - cached.atNanos() < ttl.toNanos()) return cached.result();
        long leftMs = (deadlineNanos - now) / 1_000_000;
        if (leftMs <= 0) return Result.UNKNOWN;
        InetAddress address;
        try {
            address = resolve(host, now).get(leftMs, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return Result.UNKNOWN; // the lookup goes on in the background; a later check uses its answer
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Result.UNKNOWN;
        } catch (java.util.concurrent.ExecutionException e) {
            return remember(key, Result.SILENT); // the name does not resolve: nothing listens there
        }
        leftMs = (deadlineNanos - nanoTime.getAsLong()) / 1_000_000;
        if (leftMs <= 0) return Result.UNKNOWN;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), (int) Math.min(CONNECT_MAX_MS, leftMs));
            return remember(key, Result.ACCEPTS);
        } catch (IOException e) {
            return remember(key, Result.SILENT);
        }
    }

    private Result remember(String key, Result r) {
        answers.put(key, new Answer(r, nanoTime.getAsLong()));
        return r;
    }

    private CompletableFuture<InetAddress> resolve(String host, long now) {
        Resolved r = resolved.compute(host, (h, old) -> {
            if (old != null && (!old.address().isDone()
                    || !old.address().isCompletedExceptionally() && now - old.atNanos() < TimeUnit.SECONDS.toNanos(RESOLVED_TTL_S))) {
                return old;
            }
            CompletableFuture<InetAddress> f = CompletableFuture.supplyAsync(() -> {
                try {
                    return InetAddress.getByName(h);
                } catch (UnknownHostException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            }, RESOLVER);
            return new Resolved(f, now);
        });
        return r.address();
    }
}
