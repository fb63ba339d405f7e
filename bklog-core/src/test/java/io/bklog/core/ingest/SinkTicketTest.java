package io.bklog.core.ingest;

import io.bklog.spi.BulkResult;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** An offer's ticket: each document's first outcome is its answer; a later one never takes it back. */
class SinkTicketTest {

    @Test
    void aDocumentStoredBeforeTheWriterWasInterruptedStaysStored() throws Exception {
        SinkItem.Ticket t = new SinkItem.Ticket(3, BatchingSink.WhenRetriesRunOut.DEAD_LETTER);
        t.settle(0, BulkResult.ItemResult.ok("a"));
        t.settle(1, BulkResult.ItemResult.ok("b"));
        // the interrupted writer answers its whole batch not stored
        for (int i = 0; i < 2; i++) t.settle(i, BulkResult.ItemResult.retryable(i == 0 ? "a" : "b", "interrupted"));
        assertThat(t.future).as("two answers of one document do not complete the offer early").isNotDone();
        t.settle(2, BulkResult.ItemResult.retryable("c", "interrupted"));
        List<BulkResult.ItemResult> answers = t.future.get();
        assertThat(answers).extracting(BulkResult.ItemResult::status).containsExactly(BulkResult.Status.OK,
                BulkResult.Status.OK, BulkResult.Status.RETRYABLE);
    }
}
