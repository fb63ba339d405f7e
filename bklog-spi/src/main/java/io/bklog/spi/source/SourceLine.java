package io.bklog.spi.source;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A line (or a joined multi-line event) read by a source. The document id is derived from {@code sourceId} +
 * {@code offset} when the source has positions, so a line read again after a restart overwrites its document
 * instead of duplicating it: a file gives its identity and generation as {@code sourceId} and the byte offset; Kafka
 * gives {@code kafka:{topic}/{partition}} and the record offset. A source without positions (syslog) gives -1 and
 * each line gets a unique id.
 *
 * @param sourceId    stable id of the source stream (file identity + generation, Kafka topic/partition, syslog
 *                    sender...)
 * @param offset      position in the stream (byte offset, record offset, line number), or -1 when it has none
 * @param text        the line, already decoded
 * @param path        file path (for {@code path_regexp}), or null
 * @param received    when the line arrived (from the context's clock)
 * @param extra       fields the source adds to the document (syslog host/app/severity, sender address, host...)
 * @param truncated   the line was longer than the limit and was cut
 * @param invalidUtf8 bad bytes were replaced by U+FFFD
 * @param documentId  explicit document id, or null to derive it
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
