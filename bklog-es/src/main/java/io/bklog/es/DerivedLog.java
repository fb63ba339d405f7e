package io.bklog.es;

import io.bklog.spi.FieldType;
import io.bklog.spi.RawLine;

import java.util.List;
import java.util.Map;

/**
 * bklog's raw line {@code log}, kept once when it is a copy. A shipper's {@code _bulk} document brings its text as
 * {@code message} (or {@code msg}, {@code MESSAGE}), and the platform adds bklog's raw-line field {@code log} with
 * the same value, keeping both. Written as such, every such document would hold the line twice in {@code _source}
 * and twice in the inverted index (2.2x the bytes of the same documents sent to Elasticsearch directly). So when
 * {@code log} equals one of {@link #SOURCES} and both are mapped as text, the document is written with that field
 * only, plus {@value EsMappings#LOG_FROM}{@code : <its name>} (a keyword without doc values: one term for the whole
 * index, close to nothing on disk); a query on {@code log} also matches that field of the documents so marked, and a
 * hit read back gets {@code log} again. Every other document keeps its {@code log} as it came.
 */
final class DerivedLog {
    static final String LOG = RawLine.LOG;
    /** the shipper text fields the platform copies into {@code log} */
    static final List<String> SOURCES = RawLine.COPIED_FROM;

    private DerivedLog() {}

    /** The field {@code log} is a copy of in {@code fields}, when it may be kept once; null otherwise. */
    static String sourceOf(Map<String, Object> fields, Map<String, FieldType> types) {
        return RawLine.copiedFrom(fields, types);
    }

    /**
     * Gives a stored source its {@code log} back (and the highlights of its source field to {@code log}), removing
     * the marker.
     */
    static void restore(Map<String, Object> source, Map<String, List<String>> highlights) {
        if (!(source.remove(EsMappings.LOG_FROM) instanceof String from)) return;
        if (source.get(from) instanceof String line) source.putIfAbsent(LOG, line);
        List<String> h = highlights.get(from);
        if (h != null) highlights.putIfAbsent(LOG, h);
    }
}
