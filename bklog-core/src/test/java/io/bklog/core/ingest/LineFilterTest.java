package io.bklog.core.ingest;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LineFilterTest {

    @Test
    void andWithinAGroupOrBetweenGroups() {
        LineFilter f = LineFilter.of(List.of(
                FilterCondition.column(1, "eq", "ERROR", "and"),
                FilterCondition.column(2, "include", "db", "and"),
                FilterCondition.column(1, "eq", "FATAL", "or")), "|");
        assertThat(f.test("ERROR|db timeout")).isTrue();
        assertThat(f.test("ERROR|cache")).isFalse();
        assertThat(f.test("FATAL|anything")).isTrue();
        assertThat(f.test("INFO|db")).isFalse();
        assertThat(f.test("FATAL")).isTrue();
        assertThat(f.test("ERROR")).isFalse(); // column 2 missing
    }

    @Test
    void supportsEveryOperatorOnTheWholeLine() {
        assertThat(LineFilter.of(List.of(FilterCondition.line("include", "x")), null).test("axb")).isTrue();
        assertThat(LineFilter.of(List.of(FilterCondition.line("exclude", "x")), null).test("axb")).isFalse();
        assertThat(LineFilter.of(List.of(FilterCondition.line("eq", "ab")), null).test("ab")).isTrue();
        assertThat(LineFilter.of(List.of(FilterCondition.line("neq", "ab")), null).test("ab")).isFalse();
        assertThat(LineFilter.of(List.of(FilterCondition.line("regex", "^a.b$")), null).test("axb")).isTrue();
        assertThat(LineFilter.of(List.of(FilterCondition.line("nregex", "^a")), null).test("axb")).isFalse();
        assertThat(LineFilter.of(List.of(FilterCondition.line("=", "x")), null).test("axb")).isTrue();
        assertThat(LineFilter.of(List.of(FilterCondition.line("bogus", "x")), null).test("axb")).isTrue();
    }

    @Test
    void skipsEmptyWordsAndAcceptsEverythingWithoutConditions() {
        assertThat(LineFilter.of(List.of(FilterCondition.line("eq", "")), null).test("anything")).isTrue();
        assertThat(LineFilter.NONE.test("x")).isTrue();
    }

    @Test
    void readsBklogConditions() {
        LineFilter f = LineFilter.fromBklog(Map.of("type", "separator", "separator", ",",
                "separator_filters", List.of(Map.of("fieldindex", "2", "word", "500", "op", "=", "logic_op", "and"))));
        assertThat(f.test("GET,500")).isTrue();
        assertThat(f.test("GET,5000")).isFalse();
        assertThat(LineFilter.fromBklog(Map.of("type", "match", "match_type", "include", "match_content", "err"))
                .test("an error")).isTrue();
        assertThatThrownBy(() -> LineFilter.fromBklog(Map.of("type", "separator",
                "separator_filters", List.of(Map.of("fieldindex", "1", "word", "x")))))
                .hasMessageContaining("separator is required");
        assertThatThrownBy(() -> LineFilter.of(List.of(FilterCondition.line("regex", "(")), null))
                .hasMessageContaining("conditions[0].word is not a valid regex");
    }
}
