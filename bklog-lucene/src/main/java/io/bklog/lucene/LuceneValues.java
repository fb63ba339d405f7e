package io.bklog.lucene;

import io.bklog.spi.FieldType;
import io.bklog.spi.FieldValues;
import org.apache.lucene.document.InetAddressPoint;
import org.apache.lucene.util.BytesRef;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Optional;

/**
 * How values are encoded in Lucene: inclusive long bounds of a range and the doc values of an ip. Parsing and
 * normalising values is {@link FieldValues}' job, shared with the other stores.
 */
final class LuceneValues {
    private LuceneValues() {}

    /** A numeric bound for a long/date field, rounded inward so that {@code [lower, upper]} is inclusive. */
    static Optional<Long> longBound(FieldType type, String s, boolean lower, boolean inclusive) {
        if (type == FieldType.DATE) {
            Long d = FieldValues.parseDateMillis(s);
            if (d != null) {
                long v = d;
                if (inclusive) return Optional.of(v);
                return lower ? (v == Long.MAX_VALUE ? Optional.empty() : Optional.of(v + 1))
                        : (v == Long.MIN_VALUE ? Optional.empty() : Optional.of(v - 1));
            }
        }
        return Optional.ofNullable(FieldValues.parseDecimal(s)).map(d -> {
            BigDecimal r;
            if (lower) {
                r = inclusive ? d.setScale(0, RoundingMode.CEILING) : d.setScale(0, RoundingMode.FLOOR).add(BigDecimal.ONE);
            } else {
                r = inclusive ? d.setScale(0, RoundingMode.FLOOR) : d.setScale(0, RoundingMode.CEILING).subtract(BigDecimal.ONE);
            }
            if (r.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) return Long.MAX_VALUE;
            if (r.compareTo(BigDecimal.valueOf(Long.MIN_VALUE)) < 0) return Long.MIN_VALUE;
            return r.longValue();
        });
    }

    /**
     * The doc value of an IP: its 16-byte {@link InetAddressPoint} encoding, so doc-value order (sort, terms ties) is
     * address order, as in Elasticsearch; empty when the text is not an IP literal.
     */
    static Optional<BytesRef> ipDocValue(String text) {
        InetAddress a = FieldValues.parseIp(text);
        return a == null ? Optional.empty() : Optional.of(new BytesRef(InetAddressPoint.encode(a)));
    }

    /** The canonical text of an IP doc value written by {@link #ipDocValue}. */
    static String ipFromDocValue(BytesRef b) {
        byte[] bytes = Arrays.copyOfRange(b.bytes, b.offset, b.offset + b.length);
        return FieldValues.ipText(InetAddressPoint.decode(bytes));
    }

    /** Orders IP texts by address (unsigned bytes of their 16-byte encoding); non-IP text sorts last, as text. */
    static final Comparator<String> IP_ORDER = (x, y) -> {
        Optional<BytesRef> a = ipDocValue(x);
        Optional<BytesRef> b = ipDocValue(y);
        if (a.isPresent() && b.isPresent()) return a.get().compareTo(b.get());
        if (a.isPresent() != b.isPresent()) return a.isPresent() ? -1 : 1;
        return x.compareTo(y);
    };
}
