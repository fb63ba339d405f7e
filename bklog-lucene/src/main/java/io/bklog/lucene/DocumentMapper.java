package io.bklog.lucene;

import io.bklog.spi.FieldValues;
import io.bklog.spi.FieldType;
import io.bklog.spi.LogDocument;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.DoublePoint;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.InetAddressPoint;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.SortedNumericDocValuesField;
import org.apache.lucene.document.SortedSetDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.SortedNumericDocValues;
import org.apache.lucene.index.Term;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.NumericUtils;

import java.io.IOException;
import java.net.InetAddress;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a {@link LogDocument} into its normalized source (stored as JSON) and the Lucene document indexing its
 * mapped fields. Field names inside Lucene are the document's field names; {@code _id} and {@code _source} are
 * reserved.
 */
final class DocumentMapper {
    static final String ID = "_id";
    static final String SOURCE = "_source";
    /** Text: positions for phrases, no norms (hits are sorted by fields, never scored). */
    private static final org.apache.lucene.document.FieldType TEXT_TYPE = textType();

    private static org.apache.lucene.document.FieldType textType() {
        org.apache.lucene.document.FieldType t = new org.apache.lucene.document.FieldType(TextField.TYPE_NOT_STORED);
        t.setOmitNorms(true);
        t.freeze();
        return t;
    }

    private DocumentMapper() {}

    /**
     * A document ready to write: its id, time, source JSON and Lucene document; {@code append}: its id is fresh
     * ({@link LogDocument#freshId()}), so it is added without deleting an older copy by id.
     */
    record Prepared(String id, long timestamp, byte[] source, Document document, boolean append) {}

    /** Normalizes and maps one document; throws {@link IllegalArgumentException} naming a bad value. */
    static Prepared prepare(IndexSetMapping mapping, LogDocument doc) {
        if (doc.id().isEmpty()) throw new IllegalArgumentException("document id must not be empty");
        if (doc.id().length() > 512) throw new IllegalArgumentException("document id is longer than 512 characters");
        String timeField = mapping.timeField();
        Map<String, Object> source = new LinkedHashMap<>();
        long ts = doc.timestamp().toEpochMilli();
        boolean timePlaced = false;
        for (Map.Entry<String, Object> e : doc.fields().entrySet()) {
            String name = e.getKey();
            if (name.equals(timeField)) {
                source.put(name, null); // stored as a placeholder: the value is the time field's doc value
                timePlaced = true;
                continue;
            }
            if (name.equals(ID) || name.equals(SOURCE) || name.equals(DerivedLog.MARKER)) {
                throw new IllegalArgumentException("field name '" + name + "' is reserved");
            }
            Object value = e.getValue();
            FieldType type = mapping.types().get(name);
            source.put(name, type == null || value == null ? value : FieldValues.convert(name, type, value));
        }
        if (!timePlaced) source.put(timeField, null);
        String from = DerivedLog.sourceOf(source, mapping.types());
        if (from != null) source.put(DerivedLog.LOG, null); // kept once: see DerivedLog
        byte[][] json = sourceJson(mapping, source, from);
        return new Prepared(doc.id(), ts, json[0], toLucene(mapping, source, json[1], ts, from), doc.freshId());
    }

    /**
     * Whether a value is stored once, as its field's doc value, with a {@code null} placeholder in the stored source
     * ({@link #storedSource} fills it again): a single long of a long or date field other than the time field (whose
     * time is stored once too, see {@link #prepare}). Its doc value holds exactly that long; a list keeps its values in
     * the source (doc values would lose their order and repeats).
     */
    private static boolean storedOnce(IndexSetMapping mapping, String name, Object value) {
        if (!(value instanceof Long) || name.equals(mapping.timeField())) return false;
        FieldType type = mapping.types().get(name);
        return type == FieldType.LONG || type == FieldType.DATE;
    }

    /**
     * The JSON of a normalized source twice, written once: {@code [0]} with every value (for the write-ahead log,
     * which indexes its entries again from it) and {@code [1]} with a {@code null} for each value stored once
     * ({@link #storedOnce}), the stored source; both behind {@link DerivedLog}'s marker byte when {@code log} is kept
     * once ({@code logFrom} not null).
     */
    private static byte[][] sourceJson(IndexSetMapping mapping, Map<String, Object> source, String logFrom) {
        com.fasterxml.jackson.core.util.ByteArrayBuilder out = new com.fasterxml.jackson.core.util.ByteArrayBuilder(256);
        if (logFrom != null) out.append(DerivedLog.marker(logFrom));
        int[] cuts = new int[8];
        int n = 0;
        try (com.fasterxml.jackson.core.JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
            g.writeStartObject();
            for (Map.Entry<String, Object> e : source.entrySet()) {
                g.writeFieldName(e.getKey());
                Object v = e.getValue();
                if (storedOnce(mapping, e.getKey(), v)) {
                    if (n == cuts.length) cuts = java.util.Arrays.copyOf(cuts, n * 2);
                    g.flush();
                    cuts[n++] = out.size();
                    g.writeNumber((Long) v);
                    g.flush();
                    cuts[n++] = out.size();
                } else if (v instanceof String str) {
                    g.writeString(str);
                } else if (v == null) {
                    g.writeNull();
                } else {
                    g.writeObject(v);
                }
            }
            g.writeEndObject();
        } catch (java.io.IOException ex) {
            throw new java.io.UncheckedIOException("cannot write JSON of a source", ex);
        }
        byte[] logged = out.toByteArray();
        if (n == 0) return new byte[][] {logged, logged};
        byte[] nul = {':', 'n', 'u', 'l', 'l'}; // the generator writes the name's colon with the value
        int length = logged.length;
        for (int i = 0; i < n; i += 2) length += nul.length - (cuts[i + 1] - cuts[i]);
        byte[] stored = new byte[length];
        int from = 0;
        int to = 0;
        for (int i = 0; i < n; i += 2) {
            System.arraycopy(logged, from, stored, to, cuts[i] - from);
            to += cuts[i] - from;
            System.arraycopy(nul, 0, stored, to, nul.length);
            to += nul.length;
            from = cuts[i + 1];
        }
        System.arraycopy(logged, from, stored, to, logged.length - from);
        return new byte[][] {logged, stored};
    }

    /**
     * The Lucene document of a normalized source whose time is {@code ts}: the stored source ({@code json}, written
     * with the time field's value as a {@code null} placeholder, or, written before placeholders, as the number)
     * and the mapped fields, the time field indexed as {@code ts}; {@code from}: the field its {@code log} is a copy
     * of ({@link DerivedLog}, {@code log} then left out of {@code source}), or null.
     */
    private static Document toLucene(IndexSetMapping mapping, Map<String, Object> source, byte[] json, long ts,
                                     String from) {
        Document d = new Document();
        d.add(new StoredField(SOURCE, json));
        String timeField = mapping.timeField();
        boolean timeAdded = false;
        for (Map.Entry<String, Object> e : source.entrySet()) {
            FieldType type = mapping.types().get(e.getKey());
            Object value = e.getValue();
            if (!timeAdded && e.getKey().equals(timeField)) {
                addTime(d, timeField, ts);
                timeAdded = true;
                continue;
            }
            if (type == null || value == null || e.getKey().equals(DerivedLog.MARKER)) continue;
            addValues(d, e.getKey(), type, value);
        }
        if (!timeAdded) addTime(d, timeField, ts);
        if (from != null) d.add(new StringField(DerivedLog.MARKER, from, Field.Store.NO));
        return d;
    }

    /**
     * The time field: doc values only. They give the index sort, the histograms and each hit its time, and answer
     * time ranges ({@link LongRangeQuery}: a run of document ids in a time-sorted segment); points would cost about
     * 3.5 bytes per document more and add nothing there. Segments written before keep their points.
     */
    private static void addTime(Document d, String timeField, long ts) {
        d.add(new SortedNumericDocValuesField(timeField, ts));
    }

    /**
     * A document's source as stored, read back: the JSON of {@code _source} with each {@code null} value that has a
     * numeric doc value in the document under its name (the time field's placeholder, see {@link #prepare}) given
     * that value. A {@code null} the document itself held has no doc value (nulls are not indexed) and stays. A
     * {@code log} kept once ({@link DerivedLog}) gets its line back.
     */
    static Map<String, Object> storedSource(BytesRef json, LeafReader leaf, int doc) throws IOException {
        String from = DerivedLog.from(json);
        int skip = DerivedLog.prefix(from);
        Map<String, Object> source = Json.readMap(json.bytes, json.offset + skip, json.length - skip);
        for (Map.Entry<String, Object> e : source.entrySet()) {
            if (e.getValue() != null) continue;
            SortedNumericDocValues dv = leaf.getSortedNumericDocValues(e.getKey());
            if (dv != null && dv.advanceExact(doc) && dv.docValueCount() == 1) e.setValue(dv.nextValue());
        }
        DerivedLog.restore(source, from);
        return source;
    }

    /** The first byte of a packed id: never part of UTF-8, so a packed id never equals a written-out one. */
    private static final byte PACKED = (byte) 0xFF;

    /**
     * The indexed form of a document id ({@code _id} term and doc value), added by the writer of the target index:
     * in an index with packed ids, an id of 32 lower-case hex digits (the platform's 128-bit ids) is stored as a
     * marker byte and its 16 bytes, half the terms and doc values it would take as text; any other id as UTF-8.
     * Packed ids sort among themselves as their text does, after every other id.
     */
    static BytesRef idBytes(String id, boolean packed) {
        if (!packed || id.length() != 32) return new BytesRef(id);
        // one pass: decode the digits as they are checked (every document's id comes through here)
        byte[] b = new byte[17];
        b[0] = PACKED;
        for (int i = 0; i < 16; i++) {
            int hi = lowerHexDigit(id.charAt(2 * i));
            int lo = lowerHexDigit(id.charAt(2 * i + 1));
            if ((hi | lo) < 0) return new BytesRef(id);
            b[i + 1] = (byte) ((hi << 4) | lo);
        }
        return new BytesRef(b);
    }

    /** The value of a lower-case hex digit, or -1. */
    private static int lowerHexDigit(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
    }

    /** Whether an indexed {@link #idBytes} value is packed (else it is the id's UTF-8). */
    static boolean isPacked(BytesRef b) {
        return b.length == 17 && b.bytes[b.offset] == PACKED;
    }

    /** The id of an indexed {@link #idBytes} value. */
    static String idString(BytesRef b) {
        if (isPacked(b)) {
            return HexFormat.of().formatHex(b.bytes, b.offset + 1, b.offset + 17);
        }
        return b.utf8ToString();
    }

    /**
     * Readies a document for the index it goes to: its id ({@link #addId(Document, String, boolean)} in the index's
     * form) and, in an index created while the time field had points, the time field's points.
     */
    static Term addId(Document d, String id, PhysicalIndex.Lucene index) {
        if (index.timePoints != null) addTimePoints(d, index.timePoints);
        return addId(d, id, index.packedIds);
    }

    /** A point for each doc value of the time field, as documents were written before the time lost its points. */
    static void addTimePoints(Document d, String timeField) {
        for (IndexableField f : d.getFields(timeField)) {
            if (f instanceof SortedNumericDocValuesField dv) d.add(new LongPoint(timeField, dv.numericValue().longValue()));
        }
    }

    /** Adds the id's term (replace by id) and doc value (sort tie-break, the hit's id); returns the term. */
    static Term addId(Document d, String id, boolean packed) {
        BytesRef b = idBytes(id, packed);
        d.add(new StringField(ID, b, Field.Store.NO));
        d.add(new SortedDocValuesField(ID, b));
        return new Term(ID, b);
    }

    /**
     * The Lucene document of a logged source whose time is {@code ts} (write-ahead-log replay), normalizing its
     * mapped values to the current mapping (a field mapped after the document was logged may not convert; it then
     * stays in the source, unindexed). An entry of either form ({@code log} written out, or kept once: see
     * {@link DerivedLog}) is stored as {@link #prepare} stores it under the current mapping.
     */
    static Document fromLogged(IndexSetMapping mapping, byte[] json, long ts) {
        String from = DerivedLog.from(json, 0, json.length);
        int skip = DerivedLog.prefix(from);
        Map<String, Object> logged = Json.readMap(json, skip, json.length - skip);
        DerivedLog.restore(logged, from);
        Map<String, Object> normalized = normalized(mapping, logged);
        String now = DerivedLog.sourceOf(logged, mapping.types());
        byte[] stored = json;
        if (now != null) {
            normalized.remove(DerivedLog.LOG);
            logged.put(DerivedLog.LOG, null);
        }
        if (!java.util.Objects.equals(now, from)) stored = DerivedLog.write(logged, now);
        return toLucene(mapping, normalized, stored, ts, now);
    }

    /**
     * The Lucene document rewriting a stored document ({@link #storedSource}, placeholders filled) with the current
     * mapping (reindex): its time is the source's value of the time field, stored as a placeholder again when it is
     * the number (else, e.g. a date text of a field that became the time field, stored as it is and indexed
     * converted); a source without one that converts (written under another time field) is stored as it is, its
     * time field unindexed as before.
     */
    static Document reindexed(IndexSetMapping mapping, Map<String, Object> source) {
        String timeField = mapping.timeField();
        Map<String, Object> normalized = normalized(mapping, source);
        if (!(normalized.get(timeField) instanceof Number n)) {
            Document d = new Document();
            d.add(new StoredField(SOURCE, Json.write(source)));
            for (Map.Entry<String, Object> e : normalized.entrySet()) {
                if (e.getKey().equals(DerivedLog.MARKER)) continue;
                if (e.getKey().equals(timeField) && e.getValue() instanceof List<?> times
                        && times.stream().allMatch(t -> t instanceof Number)) {
                    for (Object t : times) addTime(d, timeField, ((Number) t).longValue()); // no points, as above
                } else {
                    addValues(d, e.getKey(), mapping.types().get(e.getKey()), e.getValue());
                }
            }
            return d;
        }
        Map<String, Object> stored = new LinkedHashMap<>(source);
        if (source.get(timeField) instanceof Number t && t.longValue() == n.longValue()) stored.put(timeField, null);
        for (Map.Entry<String, Object> e : stored.entrySet()) {
            // a value stored once whose doc value will hold it (the source's long, as normalized)
            Object v = e.getValue();
            if (storedOnce(mapping, e.getKey(), v) && v.equals(normalized.get(e.getKey()))) e.setValue(null);
        }
        String from = DerivedLog.sourceOf(source, mapping.types());
        if (from != null) {
            stored.put(DerivedLog.LOG, null);
            normalized.remove(DerivedLog.LOG);
        }
        return toLucene(mapping, normalized, DerivedLog.write(stored, from), n.longValue(), from);
    }

    /** The mapped, non-null values of a source converted to their types (a value that does not convert is left out). */
    private static Map<String, Object> normalized(IndexSetMapping mapping, Map<String, Object> source) {
        Map<String, Object> normalized = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : source.entrySet()) {
            FieldType type = mapping.types().get(e.getKey());
            if (type == null || e.getValue() == null) continue;
            try {
                normalized.put(e.getKey(), FieldValues.convert(e.getKey(), type, e.getValue()));
            } catch (IllegalArgumentException ignored) {
                // kept in the source only
            }
        }
        return normalized;
    }

    private static void addValues(Document d, String name, FieldType type, Object value) {
        if (type == null || value == null) return;
        if (value instanceof List<?> list) {
            for (Object v : list) {
                if (v != null) addField(d, name, type, v);
            }
        } else {
            addField(d, name, type, value);
        }
    }

    private static void addField(Document d, String name, FieldType type, Object v) {
        switch (type) {
            case KEYWORD -> addKeyword(d, name, (String) v);
            case TEXT -> d.add(new Field(name, (String) v, TEXT_TYPE));
            case LONG, DATE -> {
                long l = ((Number) v).longValue();
                d.add(new LongPoint(name, l));
                d.add(new SortedNumericDocValuesField(name, l));
            }
            case DOUBLE -> {
                double x = ((Number) v).doubleValue();
                d.add(new DoublePoint(name, x));
                d.add(new SortedNumericDocValuesField(name, NumericUtils.doubleToSortableLong(x)));
            }
            case BOOLEAN -> {
                boolean b = (Boolean) v;
                d.add(new StringField(name, b ? "true" : "false", Field.Store.NO));
                d.add(new SortedNumericDocValuesField(name, b ? 1 : 0));
            }
            case IP -> {
                String s = (String) v;
                // the text as a term (exact, wildcard, regex), the address as a point (ranges) and as address-ordered
                // doc values (sort and terms ties in address order, as Elasticsearch orders ip fields)
                d.add(new StringField(name, new BytesRef(s), Field.Store.NO));
                InetAddress address = FieldValues.parseIp(s);
                if (address != null) d.add(new InetAddressPoint(name, address));
                LuceneValues.ipDocValue(s).ifPresent(b -> d.add(new SortedSetDocValuesField(name, b)));
            }
        }
    }

    private static void addKeyword(Document d, String name, String s) {
        BytesRef b = new BytesRef(s);
        // like Elasticsearch's ignore_above: a value too long to be a term stays in the source, unindexed
        if (b.length > IndexWriter.MAX_TERM_LENGTH) return;
        d.add(new StringField(name, b, Field.Store.NO));
        d.add(new SortedSetDocValuesField(name, b));
    }
}
