package io.bklog.core.ingest;

import io.bklog.spi.source.SourceLine;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Document ids (32 hex chars). An id repeats only where a replay is possible and recognisable, so a replay overwrites
 * instead of duplicating: a position in a source (a file's identity + offset, a Kafka partition + offset: murmur3-128
 * of both), a client-given id, or an {@code Idempotency-Key} with the item's position in its request. Everything
 * else gets a {@link #unique()} id, so two identical events are two documents, as in Elasticsearch.
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

    /** The line's explicit id, else by position when the line has one (offset >= 0), else a unique id. */
    public static String of(SourceLine line) {
        if (line.documentId() != null) return line.documentId();
        return line.offset() >= 0 ? of(line.sourceId(), line.offset()) : unique();
    }

    /** A new random id (128 bits): for events that cannot be replayed recognisably, such as a syslog datagram. */
    public static String unique() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return HexFormat.of().toHexDigits(r.nextLong()) + HexFormat.of().toHexDigits(r.nextLong());
    }

    /**
     * The id of item {@code position} of a request sent with {@code Idempotency-Key: key} to {@code scope} (the
     * index set): the same request sent again stores nothing twice.
     */
    public static String ofIdempotencyKey(String scope, String key, int position) {
        return MURMUR.newHasher().putString(scope, StandardCharsets.UTF_8).putByte((byte) 2)
                .putString(key, StandardCharsets.UTF_8).putByte((byte) 0).putInt(position).hash().toString();
    }
}
