package io.bklog.core.meta;

import java.time.Instant;

/**
 * Archiving of an index set (bklog {@code ArchiveConfig}, instance type {@code index_set}): indices past the
 * retention are snapshotted to {@code repository} before they are deleted.
 *
 * @param snapshotDays how long snapshots are kept; 0 = forever
 * @param repository   snapshot repository name; one archive config per index set and repository
 */
public record ArchiveConfig(long id, long indexSetId, int snapshotDays, String repository, long version,
                            Instant createdAt, Instant updatedAt) {

    public ArchiveConfig {
        Rows.max(Rows.required(repository, "archive repository"), 255, "archive repository");
        if (snapshotDays < 0) {
            throw new IllegalArgumentException("archive snapshotDays must be >= 0 (0 = keep forever), got "
                    + snapshotDays);
        }
        createdAt = Rows.ms(createdAt);
        updatedAt = Rows.ms(updatedAt);
    }

    public static ArchiveConfig of(long indexSetId, int snapshotDays, String repository) {
        return new ArchiveConfig(0, indexSetId, snapshotDays, repository, 0, null, null);
    }

    public boolean keepsForever() {
        return snapshotDays == 0;
    }

    public ArchiveConfig withSnapshotDays(int days) {
        return new ArchiveConfig(id, indexSetId, days, repository, version, createdAt, updatedAt);
    }
}
