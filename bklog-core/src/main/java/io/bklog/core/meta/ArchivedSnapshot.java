package io.bklog.core.meta;

import java.time.Instant;
import java.util.List;

/**
 * A snapshot taken for an archive config ({@code {index}_snapshot_{yyyyMMdd}}), and the indices in it.
 *
 * @param state {@link #IN_PROGRESS}, {@link #SUCCESS}, {@link #FAILED} or {@link #DELETED}
 */
public record ArchivedSnapshot(long id, long archiveConfigId, String snapshotName, List<String> indices,
                               String state, long version, Instant createdAt, Instant updatedAt) {

    public static final String IN_PROGRESS = "in_progress";
    public static final String SUCCESS = "success";
    public static final String FAILED = "failed";
    public static final String DELETED = "deleted";

    public ArchivedSnapshot {
        Rows.max(Rows.required(snapshotName, "snapshot name"), 255, "snapshot name");
        Rows.max(Rows.required(state, "state of snapshot '" + snapshotName + "'"), 32, "snapshot state");
        indices = Rows.strings(indices);
        createdAt = Rows.ms(createdAt);
        updatedAt = Rows.ms(updatedAt);
    }

    public static ArchivedSnapshot of(long archiveConfigId, String snapshotName, List<String> indices, String state) {
        return new ArchivedSnapshot(0, archiveConfigId, snapshotName, indices, state, 0, null, null);
    }

    public ArchivedSnapshot withState(String newState) {
        return new ArchivedSnapshot(id, archiveConfigId, snapshotName, indices, newState, version, createdAt,
                updatedAt);
    }
}
