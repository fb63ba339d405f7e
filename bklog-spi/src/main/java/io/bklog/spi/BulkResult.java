package io.bklog.spi;

import java.util.List;

/** Per-item outcome of {@link LogStore#index}, in the order of the request. */
public record BulkResult(List<ItemResult> items) {
    public BulkResult {
        items = List.copyOf(items);
    }

    public enum Status {
        /** stored (or already stored with the same id) */
        OK,
        /** not stored, may succeed later (overload, backend unavailable): retry with backoff */
        RETRYABLE,
        /** not stored, never will be as is (mapping conflict, bad value): dead-letter it */
        REJECTED
    }

    public record ItemResult(String id, Status status, String reason) {
        public static ItemResult ok(String id) { return new ItemResult(id, Status.OK, null); }
        public static ItemResult retryable(String id, String reason) { return new ItemResult(id, Status.RETRYABLE, reason); }
        public static ItemResult rejected(String id, String reason) { return new ItemResult(id, Status.REJECTED, reason); }
    }

    public boolean allOk() {
        return items.stream().allMatch(i -> i.status() == Status.OK);
    }

    public long count(Status s) {
        return items.stream().filter(i -> i.status() == s).count();
    }
}
