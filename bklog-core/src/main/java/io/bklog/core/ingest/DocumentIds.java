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

    /**
     * The id of a line read from a file: its identity ({@code sourceId}), the generation of the file's content (it
     * starts at 0 and grows each time the file is truncated or its identity is reused by a new file) and the line's
     * byte offset in that generation. Generation 0 gives the same id as {@link #of(String, long)}, so lines stored
     * before generations existed keep their ids; later generations never reuse an id of an earlier one.
     */
    public static String ofFilePosition(String sourceId, long generation, long offset) {
        if (generation == 0) return of(sourceId, offset);
        return MURMUR.newHasher().putString(sourceId, StandardCharsets.UTF_8).putByte((byte) 2).putLong(generation)
                .putLong(offset).hash().toString();
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
