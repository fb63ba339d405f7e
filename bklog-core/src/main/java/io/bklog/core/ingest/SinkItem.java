package io.bklog.core.ingest;

import io.bklog.spi.BulkResult;
import io.bklog.spi.LogDocument;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

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

    /** The outcomes of one offer, one per document, completed when the last one is known. */
    static final class Ticket {
        private final BulkResult.ItemResult[] results;
        private final AtomicInteger remaining;
        final BatchingSink.WhenRetriesRunOut whenRetriesRunOut;
        final CompletableFuture<List<BulkResult.ItemResult>> future = new CompletableFuture<>();

        Ticket(int n, BatchingSink.WhenRetriesRunOut whenRetriesRunOut) {
            results = new BulkResult.ItemResult[n];
            remaining = new AtomicInteger(n);
            this.whenRetriesRunOut = whenRetriesRunOut;
        }

        void settle(int index, BulkResult.ItemResult r) {
            results[index] = r;
            if (remaining.decrementAndGet() == 0) future.complete(List.of(results));
        }
    }
}
