package io.bklog.core.meta;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;

/**
 * An asynchronous export of search results to a file (bklog async export).
 *
 * @param id        caller-chosen key
 * @param request   the search request as JSON
 * @param status    bklog's values: {@code download_log}, {@code export_package}, {@code export_upload},
 *                  {@code success}, {@code failed}, {@code download_expired}, {@code data_expired}
 * @param expiresAt when the file may be deleted (bklog: 2 days); null while running
 */
public record ExportJob(String id, String spaceUid, long indexSetId, JsonNode request, String status,
                        String filePath, long sizeBytes, long rowCount, String error, Instant expiresAt,
                        long version, Instant createdAt, Instant updatedAt) {

    public static final String DOWNLOAD_LOG = "download_log";
    public static final String EXPORT_PACKAGE = "export_package";
    public static final String EXPORT_UPLOAD = "export_upload";
    public static final String SUCCESS = "success";
    public static final String FAILED = "failed";
    public static final String DOWNLOAD_EXPIRED = "download_expired";
    public static final String DATA_EXPIRED = "data_expired";

    public ExportJob {
        Rows.max(Rows.required(id, "export id"), 64, "export id");
        Rows.max(Rows.required(status, "export status"), 32, "export status");
        Rows.max(filePath, 1024, "export file path");
        request = Rows.object(request);
        if (sizeBytes < 0 || rowCount < 0) {
            throw new IllegalArgumentException("export '" + id + "' size and row count must be >= 0");
        }
        expiresAt = Rows.ms(expiresAt);
        createdAt = Rows.ms(createdAt);
        updatedAt = Rows.ms(updatedAt);
    }

    /** A new export, downloading. */
    public static ExportJob started(String id, String spaceUid, long indexSetId, JsonNode request) {
        return new ExportJob(id, spaceUid, indexSetId, request, DOWNLOAD_LOG, null, 0, 0, null, null, 0, null, null);
    }

    public ExportJob withStatus(String newStatus) {
        return new ExportJob(id, spaceUid, indexSetId, request, newStatus, filePath, sizeBytes, rowCount, error,
                expiresAt, version, createdAt, updatedAt);
    }

    public ExportJob succeeded(String newFilePath, long newSizeBytes, long newRowCount, Instant newExpiresAt) {
        return new ExportJob(id, spaceUid, indexSetId, request, SUCCESS, newFilePath, newSizeBytes, newRowCount,
                null, newExpiresAt, version, createdAt, updatedAt);
    }

    public ExportJob failed(String newError) {
        return new ExportJob(id, spaceUid, indexSetId, request, FAILED, filePath, sizeBytes, rowCount, newError,
                expiresAt, version, createdAt, updatedAt);
    }
}
