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

    /** 64 random bits drawn once per process: the first half of every {@link #unique()} id it makes */
    private static final String UNIQUE_PREFIX = HexFormat.of().toHexDigits(new java.security.SecureRandom().nextLong());
    private static final java.util.concurrent.atomic.AtomicLong UNIQUE_COUNTER =
            new java.util.concurrent.atomic.AtomicLong(ThreadLocalRandom.current().nextLong() >>> 16);

    /**
     * A new id no other call makes: for events that cannot be replayed recognisably, such as a syslog datagram. It is
     * 64 random bits drawn once per process followed by a 64-bit counter, as Elasticsearch's own ids are built from a
     * time and a sequence: ids made one after another share their first 20-odd characters, so a store's term
     * dictionary and doc values keep them in a few bytes each, where 128 random bits cost about 25 bytes a document
     * twice over (the store's id and its sort copy), a fifth of a log line. Unique across processes as long as no
     * two processes draw the same 64 random bits.
     */
    public static String unique() {
        return UNIQUE_PREFIX + HexFormat.of().toHexDigits(UNIQUE_COUNTER.getAndIncrement());
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
