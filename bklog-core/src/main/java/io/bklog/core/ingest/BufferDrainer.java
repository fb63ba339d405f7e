package io.bklog.core.ingest;

import io.bklog.spi.BufferedDocument;
import io.bklog.spi.BulkResult;
import io.bklog.spi.IngestBuffer;
import io.bklog.spi.LogDocument;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Moves documents from an {@link IngestBuffer} to a {@link BatchingSink}, committing only after the sink reports
 * every polled document stored (or dead-lettered because the store refused it). A document the store still answers
 * retryable after the sink's retries (the store is unreachable) is not dead-lettered: the batch is not committed,
 * the drainer leaves the group and the buffer delivers it again, so an outage of the store never turns buffered
 * (acknowledged) documents into dead letters (ids are given before the buffer: a redelivery replaces, never
 * duplicates). One named thread per drainer.
 */
public final class BufferDrainer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BufferDrainer.class);

    /** Default consumer group. */
    public static final String GROUP = "bklog-sink";

    private final IngestBuffer buffer;
    private final BatchingSink sink;
    private final String group;
    private final int maxPoll;
    private final Consumer<List<BulkResult.ItemResult>> written;
    private final Thread thread;
    private volatile boolean running = true;

    public BufferDrainer(IngestBuffer buffer, BatchingSink sink) {
        this(buffer, sink, GROUP, sink.config().maxDocs(), "default");
    }

    public BufferDrainer(IngestBuffer buffer, BatchingSink sink, String group, int maxPoll, String name) {
        this(buffer, sink, group, maxPoll, name, null);
    }

    /**
     * As {@link #BufferDrainer(IngestBuffer, BatchingSink, String, int, String)}; {@code written} (null for none) is
     * told the sink's outcome of every batch it hands on, once known (on the sink's thread: keep it short). An item
     * answered RETRYABLE there is not committed and comes again.
     */
    public BufferDrainer(IngestBuffer buffer, BatchingSink sink, String group, int maxPoll, String name,
                         Consumer<List<BulkResult.ItemResult>> written) {
        this.buffer = buffer;
        this.sink = sink;
        this.group = group;
        this.maxPoll = maxPoll;
        this.written = written;
        this.thread = new Thread(this::run, "bklog-drainer-" + name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void run() {
        IngestBuffer.Consumer consumer = buffer.consumer(group);
        try {
            while (running) {
                List<BufferedDocument> polled;
                try {
                    polled = consumer.poll(maxPoll, Duration.ofMillis(200));
                } catch (IllegalStateException e) {
                    if (!running) return;
                    throw e;
                }
                if (polled.isEmpty()) continue;
                Map<String, List<LogDocument>> byIndex = new LinkedHashMap<>();
                for (BufferedDocument d : polled) byIndex.computeIfAbsent(d.indexSet(), k -> new ArrayList<>()).add(d.document());
                List<CompletableFuture<Void>> futures = new ArrayList<>();
                boolean handedOn = true;
                for (Map.Entry<String, List<LogDocument>> e : byIndex.entrySet()) {
                    while (true) {
                        // still failing after the sink's retries (the store unreachable): not dead-lettered, not
                        // committed; the buffer delivers it again
                        BatchingSink.Offer o = sink.offer(e.getKey(), e.getValue(),
                                BatchingSink.WhenRetriesRunOut.ANSWER_RETRYABLE);
                        if (o.accepted()) {
                            if (written != null) o.done().thenAccept(this::tell);
                            futures.add(BatchingSink.safe(o.done()));
                            break;
                        }
                        if (!running && o.reason() != null && o.reason().contains("shutting down")) {
                            handedOn = false;
                            break;
                        }
                        TimeUnit.MILLISECONDS.sleep(Math.min(200, o.retryAfter().toMillis()));
                    }
                }
                if (!handedOn) {
                    LOG.warn("event=drain_stopped group={} docs={}; not committed, they will be delivered again",
                            group, polled.size());
                    return;
                }
                try {
                    CompletableFuture.allOf(futures.toArray(new CompletableFuture[0])).join();
                    consumer.commit();
                } catch (RuntimeException e) {
                    LOG.error("event=drain_failed group={} docs={}; leaving the group so they are delivered again",
                            group, polled.size(), e);
                    consumer.close();
                    consumer = buffer.consumer(group);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("event=drainer_stopped group={}", group, e);
        } finally {
            consumer.close();
        }
    }

    private void tell(List<BulkResult.ItemResult> results) {
        try {
            written.accept(results);
        } catch (RuntimeException e) {
            LOG.warn("event=drain_listener_failed group={} docs={}", group, results.size(), e);
        }
    }

    /** Stops polling; the batch in hand is finished (and committed) first. Close the sink after this. */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(60));
            if (thread.isAlive()) thread.interrupt();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
