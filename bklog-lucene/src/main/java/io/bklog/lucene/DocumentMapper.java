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
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.NumericUtils;

import java.net.InetAddress;
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

    private DocumentMapper() {}

    /** A document ready to write: its id, time, source JSON and Lucene document. */
    record Prepared(String id, long timestamp, byte[] source, Document document) {}

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
                source.put(name, ts);
                timePlaced = true;
                continue;
            }
            if (name.equals(ID) || name.equals(SOURCE)) {
                throw new IllegalArgumentException("field name '" + name + "' is reserved");
            }
            Object value = e.getValue();
            FieldType type = mapping.types().get(name);
            source.put(name, type == null || value == null ? value : FieldValues.convert(name, type, value));
        }
        if (!timePlaced) source.put(timeField, ts);
        byte[] json = Json.write(source);
        return new Prepared(doc.id(), ts, json, toLucene(mapping, doc.id(), source, json));
    }

    /** The Lucene document of a normalized source (also used when replaying the write-ahead log). */
    static Document toLucene(IndexSetMapping mapping, String id, Map<String, Object> source, byte[] json) {
        Document d = new Document();
        d.add(new StringField(ID, id, Field.Store.NO));
        d.add(new SortedDocValuesField(ID, new BytesRef(id)));
        d.add(new StoredField(SOURCE, json));
        for (Map.Entry<String, Object> e : source.entrySet()) {
            FieldType type = mapping.types().get(e.getKey());
            Object value = e.getValue();
            if (type == null || value == null) continue;
            if (value instanceof List<?> list) {
                for (Object v : list) {
                    if (v != null) addField(d, e.getKey(), type, v);
                }
            } else {
                addField(d, e.getKey(), type, value);
            }
        }
        return d;
    }

    /**
     * The Lucene document of a logged source, normalizing its mapped values to the current mapping (a field mapped
     * after the document was logged may not convert; it then stays in the source, unindexed).
     */
    static Document fromLogged(IndexSetMapping mapping, String id, byte[] json) {
        Map<String, Object> source = Json.readMap(json, 0, json.length);
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
        return toLucene(mapping, id, normalized, json);
    }

    private static void addField(Document d, String name, FieldType type, Object v) {
        switch (type) {
            case KEYWORD -> addKeyword(d, name, (String) v);
            case TEXT -> d.add(new TextField(name, (String) v, Field.Store.NO));
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
