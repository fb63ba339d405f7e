package io.bklog.lucene;

import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.bklog.spi.FieldType;
import io.bklog.spi.RawLine;
import org.apache.lucene.util.BytesRef;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * bklog's raw line {@code log}, kept once when it is a copy (as the Elasticsearch backend does). A shipper's
 * {@code _bulk} document brings its text as {@code message} (or {@code msg}, {@code MESSAGE}), and the platform adds
 * bklog's raw-line field {@code log} with the same value. When {@code log} equals one of {@link #SOURCES} and both
 * are mapped as text, the document is written with {@code log} neither indexed nor stored:
 * <ul>
 *   <li>its stored source (and write-ahead-log entry) holds {@code "log":null} where the line was, and starts with
 *       one byte before the JSON's {@code '{'} naming the field it came from ({@code 1 + } its index in
 *       {@link #SOURCES}); a source without that byte (every source written before, every other document) reads
 *       as it always did;</li>
 *   <li>the Lucene document gets the term {@code <field name>} in {@value #MARKER} (indexed, not stored, no doc
 *       values: one term per source field for the whole index), so a query on {@code log} also matches that field
 *       of the documents so marked ({@link QueryTranslator}).</li>
 * </ul>
 * Wherever a stored source is read ({@link DocumentMapper#storedSource}: hits, highlights, reindex; write-ahead-log
 * replay), {@code log} gets its line back at its place.
 */
final class DerivedLog {
    static final String LOG = RawLine.LOG;
    /** the shipper text fields the platform copies into {@code log} */
    static final List<String> SOURCES = RawLine.COPIED_FROM;
    /** The indexed marker field (the Elasticsearch backend's name); a document may not bring a field so named. */
    static final String MARKER = "__log_from";

    private DerivedLog() {}

    /** The field {@code log} is a copy of in {@code fields}, when it may be kept once; null otherwise. */
    static String sourceOf(Map<String, Object> fields, Map<String, FieldType> types) {
        return RawLine.copiedFrom(fields, types);
    }

    /** The stored form of a source: its JSON, preceded by the byte naming {@code from} when not null. */
    static byte[] write(Map<String, Object> source, String from) {
        if (from == null) return Json.write(source);
        try (ByteArrayBuilder out = new ByteArrayBuilder(256)) {
            out.append(marker(from));
            Json.MAPPER.writeValue(out, source);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write JSON of a source", e);
        }
    }

    /** The byte before a source's JSON naming the field its {@code log} is kept in ({@code from}, one of {@link #SOURCES}). */
    static int marker(String from) {
        return 1 + SOURCES.indexOf(from);
    }

    /** The field a stored source's {@code log} came from ({@link #write}), or null for a plain JSON source. */
    static String from(byte[] bytes, int offset, int length) {
        if (length == 0) return null;
        int b = bytes[offset];
        return b >= 1 && b <= SOURCES.size() ? SOURCES.get(b - 1) : null;
    }

    static String from(BytesRef b) {
        return from(b.bytes, b.offset, b.length);
    }

    /** The number of bytes before a stored source's JSON: 1 when {@code from} is not null. */
    static int prefix(String from) {
        return from == null ? 0 : 1;
    }

    /** Gives a source read back its {@code log} again (at its place) from the field {@code from}. */
    static void restore(Map<String, Object> source, String from) {
        if (from != null && source.containsKey(LOG) && source.get(LOG) == null
                && source.get(from) instanceof String line) {
            source.put(LOG, line);
        }
    }
}
