package io.bklog.core.ingest;

import io.bklog.spi.BulkResult;
import io.bklog.spi.LogDocument;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One document queued in a {@link BatchingSink}: its estimated size, the {@link Ticket} of the offer it came in and
 * its position there, and when it was queued (for the linger).
 */
record SinkItem(LogDocument doc, long bytes, Ticket ticket, int index, long enqueuedMillis) {
    void stored() {
        ticket.settle(index, BulkResult.ItemResult.ok(doc.id()));
    }

    void rejected(String reason) {
        ticket.settle(index, BulkResult.ItemResult.rejected(doc.id(), reason));
    }

    void notStored(Throwable t) {
        notStored(t.getMessage() == null ? t.toString() : t.getMessage());
    }

    void notStored(String reason) {
        ticket.settle(index, BulkResult.ItemResult.retryable(doc.id(), reason));
    }

    /**
     * The outcomes of one offer, one per document, completed when the last one is known. The first outcome of a
     * document is its answer: a writer interrupted while it retried a batch answers the whole batch not stored, and
     * that must not take back the items it already stored (nor count them twice and complete the offer early).
     */
    static final class Ticket {
        private final AtomicReferenceArray<BulkResult.ItemResult> results;
        private final AtomicInteger remaining;
        final BatchingSink.WhenRetriesRunOut whenRetriesRunOut;
        final CompletableFuture<List<BulkResult.ItemResult>> future = new CompletableFuture<>();

        Ticket(int n, BatchingSink.WhenRetriesRunOut whenRetriesRunOut) {
            results = new AtomicReferenceArray<>(n);
            remaining = new AtomicInteger(n);
            this.whenRetriesRunOut = whenRetriesRunOut;
        }

        void settle(int index, BulkResult.ItemResult r) {
            if (!results.compareAndSet(index, null, r)) return; // answered already
            if (remaining.decrementAndGet() == 0) {
                List<BulkResult.ItemResult> all = new ArrayList<>(results.length());
                for (int i = 0; i < results.length(); i++) all.add(results.get(i));
                future.complete(List.copyOf(all));
            }
        }
    }
}
