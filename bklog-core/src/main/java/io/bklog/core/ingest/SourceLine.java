package io.bklog.core.ingest;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A line (or a joined multi-line event) read from a source.
 *
 * @param sourceId   stable id of the source stream (file path + inode, syslog sender, HTTP client...)
 * @param offset     position in the source (byte offset, sequence number), or -1 when the source has none: the
 *                   document id is then a hash of the content
 * @param text       the line, already decoded
 * @param path       file path for {@code path_regexp}, or null
 * @param received   when the line arrived (the ingest time)
 * @param extra      fields the source adds to the document (syslog host/app/severity, sender address...)
 * @param truncated  the line was longer than the limit and was cut
 * @param invalidUtf8 bad bytes were replaced by U+FFFD
 * @param documentId explicit document id (e.g. an ES {@code _bulk} {@code _id}), or null to derive it
 */
public record SourceLine(String sourceId, long offset, String text, String path, Instant received,
                         Map<String, Object> extra, boolean truncated, boolean invalidUtf8,
                         String documentId) {

    public SourceLine {
        Objects.requireNonNull(sourceId, "sourceId");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(received, "received");
        extra = extra == null ? Map.of() : Map.copyOf(extra);
    }

    public static SourceLine of(String sourceId, long offset, String text, Instant received) {
        return new SourceLine(sourceId, offset, text, null, received, Map.of(), false, false, null);
    }

    public SourceLine withText(String newText) {
        return new SourceLine(sourceId, offset, newText, path, received, extra, truncated, invalidUtf8, documentId);
    }

    public SourceLine withFlags(boolean isTruncated, boolean isInvalidUtf8) {
        return new SourceLine(sourceId, offset, text, path, received, extra, isTruncated, isInvalidUtf8, documentId);
    }

    public SourceLine withPath(String newPath) {
        return new SourceLine(sourceId, offset, text, newPath, received, extra, truncated, invalidUtf8, documentId);
    }

    public SourceLine withDocumentId(String id) {
        return new SourceLine(sourceId, offset, text, path, received, extra, truncated, invalidUtf8, id);
    }

    public SourceLine withExtra(Map<String, Object> newExtra) {
        return new SourceLine(sourceId, offset, text, path, received, newExtra, truncated, invalidUtf8, documentId);
    }
}
