package io.bklog.core.query;

import io.bklog.spi.query.Query;
import io.bklog.spi.query.Query.Bool;
import io.bklog.spi.query.Query.Exists;
import io.bklog.spi.query.Query.Phrase;
import io.bklog.spi.query.Query.Range;
import io.bklog.spi.query.Query.Term;
import io.bklog.spi.query.Query.Wildcard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static io.bklog.core.query.StructuredFilter.of;
import static io.bklog.core.query.StructuredFilters.toQuery;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StructuredFiltersTest {

    @ParameterizedTest
    @ValueSource(strings = {"is", "=", "eq", "is one of", "in", "IS", "  is   one  of "})
    void equalityOperatorsMatchAnyValue(String op) {
        assertThat(toQuery(List.of(of("level", op, "error", "fatal"))))
                .isEqualTo(Bool.or(List.of(new Term("level", "error"), new Term("level", "fatal"))));
    }

    @Test
    void singleValueIsAPlainTerm() {
        assertThat(toQuery(List.of(of("level", "is", "error")))).isEqualTo(new Term("level", "error"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"is not", "!=", "is not one of"})
    void negatedEqualityMatchesNoneOfTheValues(String op) {
        assertThat(toQuery(List.of(of("level", op, "debug", "info")))).isEqualTo(
                new Bool(List.of(), List.of(), List.of(new Term("level", "debug"), new Term("level", "info"))));
    }

    @Test
    void containsIsASubstringWildcardWithTheValueEscaped() {
        assertThat(toQuery(List.of(of("path", "contains", "a*b?")))).isEqualTo(new Wildcard("path", "*a\\*b\\?*"));
        assertThat(toQuery(List.of(of("path", "not contains", "tmp"))))
                .isEqualTo(Bool.not(new Wildcard("path", "*tmp*")));
    }

    @Test
    void comparisons() {
        assertThat(toQuery(List.of(of("n", ">", "1")))).isEqualTo(Range.greaterThan("n", "1"));
        assertThat(toQuery(List.of(of("n", "gte", "1")))).isEqualTo(Range.atLeast("n", "1"));
        assertThat(toQuery(List.of(of("n", "<", "1")))).isEqualTo(Range.lessThan("n", "1"));
        assertThat(toQuery(List.of(of("n", "lte", "1")))).isEqualTo(Range.atMost("n", "1"));
    }

    @Test
    void existenceIgnoresValues() {
        assertThat(toQuery(List.of(of("trace", "exists")))).isEqualTo(new Exists("trace"));
        assertThat(toQuery(List.of(of("trace", "does not exists", "ignored"))))
                .isEqualTo(Bool.not(new Exists("trace")));
        assertThat(toQuery(List.of(of("trace", "not exists")))).isEqualTo(Bool.not(new Exists("trace")));
    }

    @Test
    void wildcardOperatorsUseTheValueAsPattern() {
        assertThat(toQuery(List.of(of("host", "=~", "web-*")))).isEqualTo(new Wildcard("host", "web-*"));
        assertThat(toQuery(List.of(of("host", "!=~", "db-*")))).isEqualTo(Bool.not(new Wildcard("host", "db-*")));
        assertThat(toQuery(List.of(of("host", "&=~", "*a*", "*b*"))))
                .isEqualTo(Bool.and(List.of(new Wildcard("host", "*a*"), new Wildcard("host", "*b*"))));
    }

    @Test
    void booleans() {
        assertThat(toQuery(List.of(of("ok", "is true")))).isEqualTo(new Term("ok", "true"));
        assertThat(toQuery(List.of(of("ok", "is false")))).isEqualTo(new Term("ok", "false"));
    }

    @Test
    void matchPhrase() {
        assertThat(toQuery(List.of(of("log", "contains match phrase", "a b", "c"))))
                .isEqualTo(Bool.or(List.of(new Phrase("log", "a b"), new Phrase("log", "c"))));
        assertThat(toQuery(List.of(of("log", "not contains match phrase", "a b"))))
                .isEqualTo(Bool.not(new Phrase("log", "a b")));
    }

    @Test
    void filtersOfAListAreAndedAndEmptyListMatchesAll() {
        assertThat(toQuery(List.of(of("a", "is", "1"), of("b", "exists"))))
                .isEqualTo(Bool.and(List.of(new Term("a", "1"), new Exists("b"))));
        assertThat(toQuery(List.of())).isEqualTo(Query.matchAll());
        assertThat(toQuery((List<StructuredFilter>) null)).isEqualTo(Query.matchAll());
    }

    @Test
    void unknownOperatorListsTheKnownOnes() {
        assertThatThrownBy(() -> of("a", "like", "x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unknown filter operator 'like'; known: 'is', '=', 'eq',")
                .hasMessageContaining("'contains match phrase'");
    }

    @Test
    void valueOperatorWithoutValuesIsRefused() {
        assertThatThrownBy(() -> of("level", "is")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("filter operator 'is' on field 'level' needs at least one value");
    }

    @Test
    void blankFieldIsRefused() {
        assertThatThrownBy(() -> of(" ", "exists")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("filter field must not be blank");
    }
}
