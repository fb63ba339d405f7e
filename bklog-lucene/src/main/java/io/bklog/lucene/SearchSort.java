package io.bklog.lucene;

import io.bklog.spi.FieldValues;
import io.bklog.spi.FieldType;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.query.Sort;
import org.apache.lucene.search.FieldDoc;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.SortedNumericSelector;
import org.apache.lucene.search.SortedNumericSortField;
import org.apache.lucene.search.SortedSetSelector;
import org.apache.lucene.search.SortedSetSortField;
import org.apache.lucene.util.BytesRef;

import java.util.Optional;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Lucene sort of a request: its keys (default: time field descending), documents missing a key last in both
 * orders (min value ascending, max value descending for multi-valued fields), then the document id ascending.
 * Converts sort values to and from the {@code searchAfter} list.
 */
final class SearchSort {
    private enum Kind { LONG, DOUBLE, BOOLEAN, STRING, IP, ID }

    private final org.apache.lucene.search.Sort sort;
    private final List<Kind> kinds;
    private final List<Boolean> reverse;

    private SearchSort(org.apache.lucene.search.Sort sort, List<Kind> kinds, List<Boolean> reverse) {
        this.sort = sort;
        this.kinds = kinds;
        this.reverse = reverse;
    }

    static SearchSort of(SearchRequest r, Map<String, FieldType> types, String defaultTimeField) {
        List<Sort> keys = r.sort().isEmpty() ? List.of(Sort.desc(defaultTimeField)) : r.sort();
        List<SortField> fields = new ArrayList<>();
        List<Kind> kinds = new ArrayList<>();
        List<Boolean> reverse = new ArrayList<>();
        boolean idSorted = false;
        for (Sort s : keys) {
            boolean rev = s.order() == Sort.Order.DESC;
            if (s.field().equals(DocumentMapper.ID)) {
                fields.add(new SortField(DocumentMapper.ID, SortField.Type.STRING, rev));
                kinds.add(Kind.ID);
                reverse.add(rev);
                idSorted = true;
                break; // the id is unique: later keys never decide
            }
            FieldType type = types.get(s.field());
            if (type == FieldType.TEXT) {
                throw new IllegalArgumentException("text field '" + s.field() + "' cannot be a sort key; sort by a"
                        + " keyword, numeric or date field");
            }
            if (type == null || type == FieldType.KEYWORD || type == FieldType.IP) {
                SortedSetSortField f = new SortedSetSortField(s.field(), rev,
                        rev ? SortedSetSelector.Type.MAX : SortedSetSelector.Type.MIN);
                f.setMissingValue(rev ? SortField.STRING_FIRST : SortField.STRING_LAST);
                fields.add(f);
                kinds.add(type == FieldType.IP ? Kind.IP : Kind.STRING);
            } else if (type == FieldType.DOUBLE) {
                SortedNumericSortField f = new SortedNumericSortField(s.field(), SortField.Type.DOUBLE, rev,
                        rev ? SortedNumericSelector.Type.MAX : SortedNumericSelector.Type.MIN);
                f.setMissingValue(rev ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
                fields.add(f);
                kinds.add(Kind.DOUBLE);
            } else {
                fields.add(longKey(s.field(), rev));
                kinds.add(type == FieldType.BOOLEAN ? Kind.BOOLEAN : Kind.LONG);
            }
            reverse.add(rev);
        }
        if (!idSorted) {
            fields.add(idKey());
            kinds.add(Kind.ID);
            reverse.add(false);
        }
        return new SearchSort(new org.apache.lucene.search.Sort(fields.toArray(SortField[]::new)), kinds, reverse);
    }

    /**
     * The order a new physical index keeps its documents in: time ascending, then id — the order they arrive in, so a
     * flush finds its buffer already sorted and Lucene skips re-sorting postings, doc values and points. A search
     * in this order (oldest first) reads the page first in every segment and stops collecting after it; the default
     * search (newest first) reads such a segment from its end ({@link TimeOrderedTop}). The total and the
     * aggregations still see every match.
     */
    static org.apache.lucene.search.Sort indexSort(String timeField) {
        return new org.apache.lucene.search.Sort(longKey(timeField, false), idKey());
    }

    /**
     * The order of indices created before {@link #indexSort} turned ascending: time descending, then id (the
     * default search's own order). Such an index keeps it ({@link PhysicalIndex} reads its segments' sort).
     */
    static org.apache.lucene.search.Sort descendingIndexSort(String timeField) {
        return new org.apache.lucene.search.Sort(longKey(timeField, true), idKey());
    }

    private static SortField longKey(String field, boolean rev) {
        SortedNumericSortField f = new SortedNumericSortField(field, SortField.Type.LONG, rev,
                rev ? SortedNumericSelector.Type.MAX : SortedNumericSelector.Type.MIN);
        f.setMissingValue(rev ? Long.MIN_VALUE : Long.MAX_VALUE);
        return f;
    }

    private static SortField idKey() {
        return new SortField(DocumentMapper.ID, SortField.Type.STRING, false);
    }

    org.apache.lucene.search.Sort sort() {
        return sort;
    }

    /** The sort values of a hit, as returned to the caller: Long, Double, Boolean, String, or null when missing. */
    List<Object> values(FieldDoc fd) {
        List<Object> out = new ArrayList<>(fd.fields.length);
        for (int i = 0; i < fd.fields.length; i++) {
            Object v = fd.fields[i];
            boolean rev = reverse.get(i);
            out.add(switch (kinds.get(i)) {
                case STRING -> v == null ? null : ((BytesRef) v).utf8ToString();
                case ID -> v == null ? null : idSortValue((BytesRef) v);
                case IP -> v == null ? null : LuceneValues.ipFromDocValue((BytesRef) v);
                case LONG -> v == null || ((Long) v) == (rev ? Long.MIN_VALUE : Long.MAX_VALUE) ? null : v;
                case BOOLEAN -> v == null || ((Long) v) == (rev ? Long.MIN_VALUE : Long.MAX_VALUE) ? null : ((Long) v) != 0;
                case DOUBLE -> v == null || ((Double) v) == (rev ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY)
                        ? null : v;
            });
        }
        return out;
    }

    /** The Lucene {@code after} of a searchAfter list (one value per sort key plus the id), or null. */
    FieldDoc after(List<Object> searchAfter) {
        if (searchAfter == null) return null;
        if (searchAfter.size() != kinds.size()) {
            throw new SearchRequest.InvalidRequestException("searchAfter has " + searchAfter.size()
                    + " values but the sort has " + kinds.size() + " keys (the sort fields plus the document id);"
                    + " pass a hit's sortValues", "search_after", null);
        }
        Object[] values = new Object[kinds.size()];
        for (int i = 0; i < values.length; i++) {
            Object v = searchAfter.get(i);
            boolean rev = reverse.get(i);
            values[i] = switch (kinds.get(i)) {
                case STRING -> v == null ? null : new BytesRef(String.valueOf(v));
                case ID -> v == null ? null : idAfter(String.valueOf(v));
                case IP -> v == null ? null : LuceneValues.ipDocValue(String.valueOf(v)).orElseThrow(() ->
                        new SearchRequest.InvalidRequestException("searchAfter value '" + v + "' is not an IP address",
                                "search_after", null));
                case LONG, BOOLEAN -> v == null ? Long.valueOf(rev ? Long.MIN_VALUE : Long.MAX_VALUE) : toLong(i, v);
                case DOUBLE -> v == null ? Double.valueOf(rev ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY)
                        : toDouble(i, v);
            };
        }
        return new FieldDoc(Integer.MAX_VALUE, Float.NaN, values);
    }

    /**
     * Marks an id sort value whose index stores it as text although {@link #idAfter} would pack it: a hex id in an
     * index created before packed ids ({@link PhysicalIndex.Lucene#packedIds}), or an id starting with the marker.
     */
    private static final String TEXT_ID = "~";

    /** The id's sort value for the caller: its text, marked when it is stored as text and looks packable. */
    static String idSortValue(BytesRef b) {
        String id = DocumentMapper.idString(b);
        boolean packable = DocumentMapper.isPacked(DocumentMapper.idBytes(id, true));
        if (DocumentMapper.isPacked(b) || !(packable || id.startsWith(TEXT_ID))) return id;
        return TEXT_ID + id;
    }

    /** The indexed form of an {@link #idSortValue}, so a cursor compares as its hit did in old and new indices. */
    static BytesRef idAfter(String value) {
        if (value.startsWith(TEXT_ID)) return new BytesRef(value.substring(TEXT_ID.length()));
        return DocumentMapper.idBytes(value, true);
    }

    private static Long toLong(int i, Object v) {
        if (v instanceof Boolean b) return b ? 1L : 0L;
        if (v instanceof Number n) return n.longValue();
        String s = String.valueOf(v);
        return Optional.ofNullable(FieldValues.parseBoolean(s)).map(b -> b ? 1L : 0L)
                .or(() -> Optional.ofNullable(FieldValues.parseDateMillis(s)))
                .orElseThrow(() -> new SearchRequest.InvalidRequestException("searchAfter value " + i + " '" + v
                        + "' is not a number", "search_after", null));
    }

    private static Double toDouble(int i, Object v) {
        if (v instanceof Number n) return n.doubleValue();
        return QueryTranslator.parseDouble(String.valueOf(v)).orElseThrow(() -> new SearchRequest.InvalidRequestException(
                "searchAfter value " + i + " '" + v + "' is not a number", "search_after", null));
    }
}
