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
        byte[] json = DerivedLog.write(source, from);
        return new Prepared(doc.id(), ts, json, toLucene(mapping, source, json, ts, from), doc.freshId());
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
                addField(d, timeField, FieldType.DATE, ts);
                timeAdded = true;
                continue;
            }
            if (type == null || value == null || e.getKey().equals(DerivedLog.MARKER)) continue;
            addValues(d, e.getKey(), type, value);
        }
        if (!timeAdded) addField(d, timeField, FieldType.DATE, ts);
        if (from != null) d.add(new StringField(DerivedLog.MARKER, from, Field.Store.NO));
        return d;
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
        if (!packed || !isLowerHex32(id)) return new BytesRef(id);
        byte[] b = new byte[17];
        b[0] = PACKED;
        System.arraycopy(HexFormat.of().parseHex(id), 0, b, 1, 16);
        return new BytesRef(b);
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

    /** Adds the id's term (replace by id) and doc value (sort tie-break, the hit's id); returns the term. */
    static Term addId(Document d, String id, boolean packed) {
        BytesRef b = idBytes(id, packed);
        d.add(new StringField(ID, b, Field.Store.NO));
        d.add(new SortedDocValuesField(ID, b));
        return new Term(ID, b);
    }

    private static boolean isLowerHex32(String id) {
        if (id.length() != 32) return false;
        for (int i = 0; i < 32; i++) {
            char c = id.charAt(i);
            if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) return false;
        }
        return true;
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
                addValues(d, e.getKey(), mapping.types().get(e.getKey()), e.getValue());
            }
            return d;
        }
        Map<String, Object> stored = source;
        if (source.get(timeField) instanceof Number t && t.longValue() == n.longValue()) {
            stored = new LinkedHashMap<>(source);
            stored.put(timeField, null);
        }
        String from = DerivedLog.sourceOf(source, mapping.types());
        if (from != null) {
            if (stored == source) stored = new LinkedHashMap<>(source);
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
