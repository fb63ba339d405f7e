package io.bklog.core.ingest;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;

import java.nio.charset.StandardCharsets;

/**
 * Deterministic document ids, so a replay after a crash overwrites instead of duplicating: murmur3-128 (hex, 32
 * chars) of the source id and offset, or of the source id and content for sources without offsets.
 */
public final class DocumentIds {

    private static final HashFunction MURMUR = Hashing.murmur3_128();

    private DocumentIds() {
    }

    public static String of(String sourceId, long offset) {
        return MURMUR.newHasher().putString(sourceId, StandardCharsets.UTF_8).putByte((byte) 0).putLong(offset)
                .hash().toString();
    }

    public static String ofContent(String sourceId, String content) {
        return MURMUR.newHasher().putString(sourceId, StandardCharsets.UTF_8).putByte((byte) 1)
                .putString(content, StandardCharsets.UTF_8).hash().toString();
    }

    /** The line's explicit id, else by offset when the line has one (>= 0), else by content. */
    public static String of(SourceLine line) {
        if (line.documentId() != null) return line.documentId();
        return line.offset() >= 0 ? of(line.sourceId(), line.offset()) : ofContent(line.sourceId(), line.text());
    }
}
