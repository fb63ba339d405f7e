package io.bklog.spi;

import com.google.common.net.InetAddresses;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

import java.math.BigDecimal;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The one value normalisation the memory, Lucene and Elasticsearch stores share (their agreement on whole documents
 * and queries is {@code CrossBackendEquivalenceIT}).
 */
class FieldValuesTest {

    @Property
    void ipv6TextIsRfc5952AsGuavaWritesIt(@ForAll @Size(16) List<Byte> bytes, @ForAll boolean upperCase) throws Exception {
        byte[] b = new byte[16];
        for (int i = 0; i < 16; i++) b[i] = bytes.get(i);
        StringBuilder full = new StringBuilder();
        for (int i = 0; i < 16; i += 2) {
            if (i > 0) full.append(':');
            full.append(HexFormat.of().formatHex(b, i, i + 2));
        }
        String text = upperCase ? full.toString().toUpperCase() : full.toString();
        String expected = InetAddresses.toAddrString(InetAddresses.forString(text));
        assertThat(FieldValues.canonicalIp(text)).isEqualTo(expected);
        assertThat(FieldValues.canonicalIp(" " + expected + " ")).isEqualTo(expected);
    }

    @Property
    void ipv4TextIsTheDottedQuad(@ForAll @Size(4) List<Byte> bytes) {
        String text = bytes.stream().map(x -> String.valueOf(x & 0xff)).reduce((x, y) -> x + "." + y).orElseThrow();
        assertThat(FieldValues.canonicalIp(text)).isEqualTo(text);
        assertThat(FieldValues.convert("ip", FieldType.IP, text)).isEqualTo(text);
    }

    @Example
    void notAnIpIsRefusedAndNothingIsResolved() {
        for (String s : List.of("999.1.1.1", "1.2.3", "01.2.3.4", "localhost", "example.com", "fe80::1%eth0", "[::1]",
                "1:2:3:4:5:6:7:8:9", "")) {
            assertThat(FieldValues.canonicalIp(s)).as(s).isNull();
        }
        assertThat(FieldValues.canonicalIp("::ffff:10.0.0.1")).isEqualTo("10.0.0.1");
        assertThat(FieldValues.canonicalIp("2001:DB8:0:0:1:0:0:1")).isEqualTo("2001:db8::1:0:0:1");
        assertThat(FieldValues.canonicalIp("2001:db8:0:1:1:1:1:1")).isEqualTo("2001:db8:0:1:1:1:1:1");
    }

    @Property
    void conversionIsIdempotent(@ForAll("typedValues") Map.Entry<FieldType, Object> v) {
        Object once = FieldValues.convert("f", v.getKey(), v.getValue());
        assertThat(FieldValues.convert("f", v.getKey(), once)).isEqualTo(once);
    }

    @Provide
    Arbitrary<Map.Entry<FieldType, Object>> typedValues() {
        return Arbitraries.oneOf(
                Arbitraries.longs().map(l -> Map.entry(FieldType.LONG, (Object) l)),
                Arbitraries.longs().map(l -> Map.entry(FieldType.LONG, (Object) String.valueOf(l))),
                Arbitraries.longs().map(l -> Map.entry(FieldType.DATE, (Object) l)),
                Arbitraries.longs().between(-62_000_000_000_000L, 250_000_000_000_000L)
                        .map(l -> Map.entry(FieldType.DATE, (Object) Instant.ofEpochMilli(l).toString())),
                Arbitraries.doubles().map(d -> Map.entry(FieldType.DOUBLE, (Object) d)),
                Arbitraries.doubles().map(d -> Map.entry(FieldType.KEYWORD, (Object) d)),
                Arbitraries.longs().map(l -> Map.entry(FieldType.KEYWORD, (Object) l)),
                Arbitraries.of(true, false).map(b -> Map.entry(FieldType.BOOLEAN, (Object) String.valueOf(b))),
                Arbitraries.strings().ofMaxLength(20).map(s -> Map.entry(FieldType.TEXT, (Object) s)));
    }

    @Property
    void aLongReadsBackAsItselfFromEveryForm(@ForAll long l) {
        assertThat(FieldValues.convert("n", FieldType.LONG, l)).isEqualTo(l);
        assertThat(FieldValues.convert("n", FieldType.LONG, (Object) String.valueOf(l))).isEqualTo(l);
        assertThat(FieldValues.convert("n", FieldType.LONG, (Object) (" " + l + ".0 "))).isEqualTo(l);
        assertThat(FieldValues.convert("n", FieldType.DATE, (Object) String.valueOf(l))).isEqualTo(l);
        assertThat(FieldValues.convert("n", FieldType.KEYWORD, l)).isEqualTo(String.valueOf(l));
    }

    @Property
    void aDoubleKeyPrintsWithoutExponentAndReadsBackExactly(@ForAll double d) {
        String key = FieldValues.formatDouble(d);
        if (!Double.isFinite(d)) {
            assertThat(key).isEqualTo(Double.toString(d));
            return;
        }
        assertThat(key).doesNotContain("E").doesNotEndWith(".0");
        assertThat(new BigDecimal(key).doubleValue()).isEqualTo(d == 0 ? 0.0 : d);
        assertThat(FieldValues.convert("d", FieldType.DOUBLE, key)).isEqualTo(d == 0 ? 0.0 : d);
    }

    @Example
    void doubleKeysAsTheTckPinsThem() {
        assertThat(FieldValues.formatDouble(3.0)).isEqualTo("3");
        assertThat(FieldValues.formatDouble(0.5)).isEqualTo("0.5");
        assertThat(FieldValues.formatDouble(-0.0)).isEqualTo("0");
        assertThat(FieldValues.formatDouble(1.0E-5)).isEqualTo("0.00001");
        assertThat(FieldValues.formatDouble(1.0E20)).isEqualTo("100000000000000000000");
    }

    @Property
    void anIsoInstantIsItsEpochMillis(@ForAll("instants") Instant t) {
        assertThat(FieldValues.convert("t", FieldType.DATE, t.toString())).isEqualTo(t.toEpochMilli());
        assertThat(FieldValues.convert("t", FieldType.DATE, t)).isEqualTo(t.toEpochMilli());
        assertThat(FieldValues.parseDateMillis(t.toString())).isEqualTo(t.toEpochMilli());
    }

    @Provide
    Arbitrary<Instant> instants() {
        return Arbitraries.longs().between(-62_000_000_000_000L, 250_000_000_000_000L).map(Instant::ofEpochMilli);
    }

    @Example
    void otherDateFormsAreUtc() {
        assertThat(FieldValues.parseDateMillis("2024-03-01")).isEqualTo(1_709_251_200_000L);
        assertThat(FieldValues.parseDateMillis("2024-03-01T00:00:00")).isEqualTo(1_709_251_200_000L);
        assertThat(FieldValues.parseDateMillis("2024-03-01T01:00:00+01:00")).isEqualTo(1_709_251_200_000L);
        assertThat(FieldValues.parseDateMillis("+999999999-12-31T23:59:59Z")).as("query bound clamped")
                .isEqualTo(Long.MAX_VALUE);
        assertThatThrownBy(() -> FieldValues.convert("t", FieldType.DATE, "+999999999-12-31T23:59:59Z"))
                .as("index time refuses what a long cannot hold").isInstanceOf(IllegalArgumentException.class);
    }

    @Example
    void valuesThatDoNotConvertAreRefusedNamingTheFieldAndType() {
        Object[][] refused = {
                {FieldType.LONG, "abc"}, {FieldType.LONG, 3.5}, {FieldType.LONG, 1e20}, {FieldType.LONG, true},
                {FieldType.DOUBLE, "NaN"}, {FieldType.DOUBLE, Double.POSITIVE_INFINITY}, {FieldType.DOUBLE, "0x1p3"},
                {FieldType.BOOLEAN, "maybe"}, {FieldType.BOOLEAN, 1L}, {FieldType.IP, "999.1.1.1"}, {FieldType.IP, 7L},
                {FieldType.DATE, "yesterday"}, {FieldType.DATE, 1.5}, {FieldType.KEYWORD, Map.of("a", 1)},
        };
        for (Object[] r : refused) {
            FieldType type = (FieldType) r[0];
            assertThatThrownBy(() -> FieldValues.convert("fld", type, r[1])).as(type + " " + r[1])
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'fld'").hasMessageContaining(type.wireName());
        }
    }

    @Example
    void listsConvertElementWiseDroppingNullsAndRefusingNestedLists() {
        List<Object> in = new ArrayList<>(Arrays.asList("1", null, 2, 3.0));
        assertThat(FieldValues.convert("n", FieldType.LONG, in)).isEqualTo(List.of(1L, 2L, 3L));
        assertThatThrownBy(() -> FieldValues.convert("n", FieldType.LONG, List.of(List.of(1))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nested list");
        assertThat(FieldValues.convert("b", FieldType.BOOLEAN, List.of("TRUE", " false", true)))
                .isEqualTo(List.of(true, false, true));
        assertThat(FieldValues.convert("a", FieldType.IP, InetAddress.getLoopbackAddress().getHostAddress()))
                .isEqualTo("127.0.0.1");
    }
}
