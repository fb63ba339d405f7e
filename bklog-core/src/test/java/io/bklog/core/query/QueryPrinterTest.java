package io.bklog.core.query;

import io.bklog.spi.query.Query;
import io.bklog.spi.query.Query.Bool;
import io.bklog.spi.query.Query.Exists;
import io.bklog.spi.query.Query.Phrase;
import io.bklog.spi.query.Query.Range;
import io.bklog.spi.query.Query.Regex;
import io.bklog.spi.query.Query.Term;
import io.bklog.spi.query.Query.Wildcard;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.bklog.core.query.QueryPrinter.print;
import static org.assertj.core.api.Assertions.assertThat;

class QueryPrinterTest {

    @Test
    void printsCanonicalForm() {
        Query q = QueryStringParser.parse("level:(error OR fatal) -path:*tmp* status:[500 TO 599} \"conn refused\" "
                + "t:>=2024-01-01T00:00:00Z _exists_:trace");
        assertThat(print(q)).isEqualTo("(level:error OR level:fatal) AND status:[500 TO 599} AND \"conn refused\" "
                + "AND t:>=2024-01-01T00:00:00Z AND _exists_:trace AND NOT path:*tmp*");
    }

    @Test
    void escapesWhatWouldOtherwiseParseDifferently() {
        assertThat(print(new Term(null, "a:b"))).isEqualTo("a\\:b");
        assertThat(print(new Term("f", "a:b"))).isEqualTo("f:a:b");
        assertThat(print(new Term(null, "-5"))).isEqualTo("\\-5");
        assertThat(print(new Term(null, "web-01"))).isEqualTo("web-01");
        assertThat(print(new Term(null, "AND"))).isEqualTo("\\AND");
        assertThat(print(new Term(null, "a b"))).isEqualTo("a\\ b");
        assertThat(print(new Term(null, "*"))).isEqualTo("\\*");
        assertThat(print(new Term("_exists_", "x"))).isEqualTo("\\_exists_:x");
        assertThat(print(new Phrase(null, "say \"hi\""))).isEqualTo("\"say \\\"hi\\\"\"");
        assertThat(print(new Regex("path", "/api/.*"))).isEqualTo("path:/\\/api\\/.*/");
        assertThat(print(new Wildcard("f", "a\\*b*"))).isEqualTo("f:a\\*b*");
        assertThat(print(new Range("f", "a b", null, true, true))).isEqualTo("f:[a\\ b TO *]");
        assertThat(print(new Exists("a:b"))).isEqualTo("_exists_:a\\:b");
    }

    @Test
    void nestedBoolsAreParenthesizedAndNegatedOnesKeptApart() {
        Term a = new Term(null, "a");
        Term b = new Term(null, "b");
        assertThat(print(Bool.and(List.of(a, Bool.not(b))))).isEqualTo("a AND (NOT b)");
        assertThat(print(new Bool(List.of(a), List.of(), List.of(b)))).isEqualTo("a AND NOT b");
        assertThat(print(Bool.not(Bool.or(List.of(a, b))))).isEqualTo("NOT (a OR b)");
    }

    @Test
    void nonCanonicalShapesPrintWithTheSameMeaning() {
        Term a = new Term(null, "a");
        Term b = new Term(null, "b");
        Term c = new Term(null, "c");
        assertThat(print(new Bool(List.of(), List.of(), List.of()))).isEqualTo("*");
        assertThat(print(Bool.and(List.of(a)))).isEqualTo("a");
        assertThat(print(new Bool(List.of(a), List.of(b, c), List.of()))).isEqualTo("a AND (b OR c)");
    }
}
