package io.bklog.core.meta;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.Locale;

/**
 * One platform backup: a full one (store snapshot + metadata dump) or an incremental one (archive snapshots since
 * its parent). The manifest (indices, checksums...) is owned by the backup feature.
 *
 * @param id       caller-chosen, e.g. {@code full-20260308T013000Z}
 * @param parentId the backup an incremental one builds on; null for a full backup
 * @param status   {@link #RUNNING}, {@link #SUCCESS} or {@link #FAILED}
 */
public record BackupRecord(String id, Kind kind, String parentId, JsonNode manifest, String status, String error,
                           long version, Instant createdAt, Instant updatedAt) {

    public static final String RUNNING = "running";
    public static final String SUCCESS = "success";
    public static final String FAILED = "failed";

    /** Full or incremental; stored in lower case. */
    public enum Kind {
        FULL, INCREMENTAL;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Kind parse(String s) {
            return switch (s) {
                case "full" -> FULL;
                case "incremental" -> INCREMENTAL;
                default -> throw new IllegalArgumentException("unknown backup kind '" + s
                        + "'; expected full or incremental");
            };
        }
    }

    public BackupRecord {
        Rows.max(Rows.required(id, "backup id"), 64, "backup id");
        java.util.Objects.requireNonNull(kind, "backup kind");
        if (kind == Kind.INCREMENTAL && parentId == null) {
            throw new IllegalArgumentException("incremental backup '" + id + "' needs a parent backup id");
        }
        manifest = Rows.object(manifest);
        Rows.required(status, "backup status");
        createdAt = Rows.ms(createdAt);
        updatedAt = Rows.ms(updatedAt);
    }

    /** A new, running backup. */
    public static BackupRecord started(String id, Kind kind, String parentId) {
        return new BackupRecord(id, kind, parentId, null, RUNNING, null, 0, null, null);
    }

    public BackupRecord succeeded(JsonNode newManifest) {
        return new BackupRecord(id, kind, parentId, newManifest, SUCCESS, null, version, createdAt, updatedAt);
    }

    public BackupRecord failed(String newError) {
        return new BackupRecord(id, kind, parentId, manifest, FAILED, newError, version, createdAt, updatedAt);
    }
}
