package io.bklog.core.ingest;

import io.bklog.spi.BackendException;
import io.bklog.spi.BulkResult;
import io.bklog.spi.LogDocument;
import io.bklog.spi.LogStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes one batch of a {@link BatchingSink} to the store: RETRYABLE items again with exponential backoff and
 * jitter up to {@code maxAttempts}; REJECTED items, and those still failing after the last attempt (unless their
 * offer said {@link BatchingSink.WhenRetriesRunOut#ANSWER_RETRYABLE}), to the {@link DeadLetterWriter}.
 */
final class SinkWriter {
    private static final Logger LOG = LoggerFactory.getLogger(BatchingSink.class);

    private final LogStore store;
    private final BatchingSink.Config config;
    private final IngestMetrics metrics;
    private final BatchingSink.Sleeper sleeper;
    private final DeadLetterWriter deadLetters;

    SinkWriter(LogStore store, BatchingSink.Config config, IngestMetrics metrics, BatchingSink.Sleeper sleeper,
               DeadLetterWriter deadLetters) {
        this.store = store;
        this.config = config;
        this.metrics = metrics;
        this.sleeper = sleeper;
        this.deadLetters = deadLetters;
    }

    /** Stores a batch of one index set, answering every document of it. */
    void write(String indexSet, List<SinkItem> batch) throws InterruptedException {
        if (indexSet.equals(config.deadLetterIndexSet())) deadLetters.ensureIndexSet();
        List<SinkItem> todo = batch;
        List<DeadLetterWriter.DeadLetter> dead = new ArrayList<>();
        int attempt = 0;
        while (!todo.isEmpty()) {
            attempt++;
            List<LogDocument> docs = new ArrayList<>(todo.size());
            for (SinkItem p : todo) docs.add(p.doc());
            BulkResult r = indexOnce(indexSet, docs);
            List<SinkItem> retry = new ArrayList<>();
            String lastReason = null;
            List<SinkItem> stored = new ArrayList<>();
            for (int i = 0; i < todo.size(); i++) {
                BulkResult.ItemResult item = r.items().get(i);
                SinkItem p = todo.get(i);
                switch (item.status()) {
                    case OK -> stored.add(p);
                    case REJECTED -> dead.add(new DeadLetterWriter.DeadLetter(p, item.reason(), attempt));
                    case RETRYABLE -> {
                        retry.add(p);
                        lastReason = item.reason();
                    }
                }
            }
            // counted before they are answered: a caller that reads the meters after its answer sees them
            metrics.stored(indexSet, stored.size());
            for (SinkItem p : stored) p.stored();
            if (retry.isEmpty()) break;
            if (attempt >= config.maxAttempts()) {
                runOut(indexSet, retry, attempt, lastReason, dead);
                break;
            }
            Duration backoff = backoff(config, attempt);
            LOG.warn("event=sink_retry index_set={} docs={} attempt={} backoff_ms={} reason=\"{}\"", indexSet,
                    retry.size(), attempt, backoff.toMillis(), lastReason);
            sleeper.sleep(backoff);
            todo = retry;
        }
        if (!dead.isEmpty()) deadLetters.write(indexSet, dead);
    }

    /** Documents still retryable after the last attempt: dead letters, or answered retryable as their offer asked. */
    private static void runOut(String indexSet, List<SinkItem> retry, int attempt, String lastReason,
                               List<DeadLetterWriter.DeadLetter> dead) {
        int answered = 0;
        for (SinkItem p : retry) {
            if (p.ticket().whenRetriesRunOut == BatchingSink.WhenRetriesRunOut.DEAD_LETTER) {
                dead.add(new DeadLetterWriter.DeadLetter(p, "gave up after " + attempt + " attempts: " + lastReason,
                        attempt));
            } else {
                p.notStored("not stored after " + attempt + " attempts: " + lastReason
                        + " (not dead-lettered: its source delivers it again)");
                answered++;
            }
        }
        if (answered > 0) {
            LOG.warn("event=sink_retries_run_out index_set={} docs={} attempts={} reason=\"{}\"; answered"
                    + " retryable, their source delivers them again", indexSet, answered, attempt, lastReason);
        }
    }

    private BulkResult indexOnce(String indexSet, List<LogDocument> docs) {
        long t0 = System.nanoTime();
        BulkResult r;
        try {
            r = store.index(indexSet, docs);
            if (r.items().size() != docs.size()) {
                r = all(docs, BulkResult.Status.RETRYABLE, "store returned " + r.items().size() + " results for "
                        + docs.size() + " documents");
            }
        } catch (BackendException e) {
            r = all(docs, e.retryable() ? BulkResult.Status.RETRYABLE : BulkResult.Status.REJECTED, e.getMessage());
        } catch (IllegalArgumentException e) {
            r = all(docs, BulkResult.Status.REJECTED, e.getMessage());
        } catch (RuntimeException e) {
            r = all(docs, BulkResult.Status.RETRYABLE, e.toString());
        }
        metrics.batchLatency(indexSet, Duration.ofNanos(System.nanoTime() - t0));
        return r;
    }

    private static BulkResult all(List<LogDocument> docs, BulkResult.Status s, String reason) {
        List<BulkResult.ItemResult> items = new ArrayList<>(docs.size());
        for (LogDocument d : docs) items.add(new BulkResult.ItemResult(d.id(), s, reason));
        return new BulkResult(items);
    }

    /** The wait before retry {@code attempt}: {@code initialBackoff * 2^(attempt-1)}, capped, with jitter. */
    static Duration backoff(BatchingSink.Config config, int attempt) {
        long initial = Math.max(1, config.initialBackoff().toMillis());
        long cap = Math.max(initial, config.maxBackoff().toMillis());
        long base = attempt >= 31 ? cap : Math.min(cap, initial << (attempt - 1));
        long half = base / 2;
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(base - half + 1));
    }
}
