package io.bklog.core.meta;

import java.time.Instant;

/**
 * A restore of archived data for a time range into {@code restore_*} indices (bklog {@code RestoreConfig}).
 *
 * @param indexSetId       the index set made for the restored indices, once it exists
 * @param indexSetName     its display name, e.g. {@code [回溯]nginx}
 * @param expiredTime      when the restored indices are dropped
 * @param done             bklog {@code is_done}
 * @param durationMs       how long it took; -1 while running
 * @param completeDocCount documents restored so far (done when it reaches {@code totalDocCount})
 * @param progress         0..1
 * @param status           {@link #PENDING}, {@link #RUNNING}, {@link #DONE}, {@link #FAILED}, {@link #EXPIRED}
 */
public record RestoreJob(long id, long archiveConfigId, Long indexSetId, String indexSetName, Instant startTime,
                         Instant endTime, Instant expiredTime, boolean done, long durationMs, long totalStoreSize,
                         long totalDocCount, long completeDocCount, double progress, String status, String error,
                         long version, Instant createdAt, Instant updatedAt) {

    public static final String PENDING = "pending";
    public static final String RUNNING = "running";
    public static final String DONE = "done";
    public static final String FAILED = "failed";
    public static final String EXPIRED = "expired";

    public RestoreJob {
        Rows.max(Rows.required(indexSetName, "restore index set name"), 255, "restore index set name");
        java.util.Objects.requireNonNull(startTime, "restore startTime");
        java.util.Objects.requireNonNull(endTime, "restore endTime");
        java.util.Objects.requireNonNull(expiredTime, "restore expiredTime");
        if (endTime.isBefore(startTime)) {
            throw new IllegalArgumentException("restore '" + indexSetName + "': endTime " + endTime
                    + " is before startTime " + startTime);
        }
        if (progress < 0 || progress > 1) {
            throw new IllegalArgumentException("restore progress must be within 0..1, got " + progress);
        }
        Rows.required(status, "restore status");
        startTime = Rows.ms(startTime);
        endTime = Rows.ms(endTime);
        expiredTime = Rows.ms(expiredTime);
        createdAt = Rows.ms(createdAt);
        updatedAt = Rows.ms(updatedAt);
    }

    /** A new, pending restore. */
    public static RestoreJob of(long archiveConfigId, String indexSetName, Instant startTime, Instant endTime,
                                Instant expiredTime) {
        return new RestoreJob(0, archiveConfigId, null, indexSetName, startTime, endTime, expiredTime, false, -1,
                0, 0, 0, 0, PENDING, null, 0, null, null);
    }

    public boolean isExpired(Instant now) {
        return !now.isBefore(expiredTime);
    }

    public RestoreJob withProgress(String newStatus, long newTotalDocCount, long newCompleteDocCount,
                                   long newTotalStoreSize) {
        double p = newTotalDocCount <= 0 ? 0 : Math.min(1.0, (double) newCompleteDocCount / newTotalDocCount);
        return new RestoreJob(id, archiveConfigId, indexSetId, indexSetName, startTime, endTime, expiredTime, done,
                durationMs, newTotalStoreSize, newTotalDocCount, newCompleteDocCount, p, newStatus, error, version,
                createdAt, updatedAt);
    }

    public RestoreJob withIndexSet(long newIndexSetId) {
        return new RestoreJob(id, archiveConfigId, newIndexSetId, indexSetName, startTime, endTime, expiredTime,
                done, durationMs, totalStoreSize, totalDocCount, completeDocCount, progress, status, error, version,
                createdAt, updatedAt);
    }

    /** Finished, successfully ({@code error == null}) or not. */
    public RestoreJob finished(long newDurationMs, String newError) {
        return new RestoreJob(id, archiveConfigId, indexSetId, indexSetName, startTime, endTime, expiredTime, true,
                newDurationMs, totalStoreSize, totalDocCount, completeDocCount, newError == null ? 1.0 : progress,
                newError == null ? DONE : FAILED, newError, version, createdAt, updatedAt);
    }

    public RestoreJob withExpiredTime(Instant newExpiredTime) {
        return new RestoreJob(id, archiveConfigId, indexSetId, indexSetName, startTime, endTime, newExpiredTime,
                done, durationMs, totalStoreSize, totalDocCount, completeDocCount, progress, status, error, version,
                createdAt, updatedAt);
    }
}
