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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static io.bklog.core.query.QueryStringParser.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QueryStringParserTest {

    private static Term t(String v) { return new Term(null, v); }
    private static Term t(String f, String v) { return new Term(f, v); }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "*", " * ", "*:*"})
    void blankOrStarIsMatchAll(String q) {
        assertThat(parse(q)).isEqualTo(Query.matchAll());
    }

    @Test
    void nullIsMatchAll() {
        assertThat(parse(null)).isEqualTo(Query.matchAll());
    }

    @Test
    void bareTermSearchesAnyField() {
        assertThat(parse("error")).isEqualTo(t("error"));
    }

    @Test
    void bareTermUsesDefaultField() {
        assertThat(parse("error", "log")).isEqualTo(t("log", "error"));
        assertThat(parse("\"a b\" x*", "log"))
                .isEqualTo(Bool.and(List.of(new Phrase("log", "a b"), new Wildcard("log", "x*"))));
    }

    @Test
    void juxtaposedTermsAreAllRequired() {
        assertThat(parse("error timeout")).isEqualTo(Bool.and(List.of(t("error"), t("timeout"))));
    }

    @Test
    void andOrNotAndTheirSymbols() {
        assertThat(parse("a AND b")).isEqualTo(parse("a && b")).isEqualTo(Bool.and(List.of(t("a"), t("b"))));
        assertThat(parse("a OR b")).isEqualTo(parse("a || b")).isEqualTo(Bool.or(List.of(t("a"), t("b"))));
        assertThat(parse("NOT a")).isEqualTo(parse("!a")).isEqualTo(parse("-a")).isEqualTo(Bool.not(t("a")));
    }

    @Test
    void lowerCaseOperatorsAreWords() {
        assertThat(parse("a and b")).isEqualTo(Bool.and(List.of(t("a"), t("and"), t("b"))));
    }

    @Test
    void operatorPrefixOfAWordIsAWord() {
        assertThat(parse("ANDROID ORACLE NOTE")).isEqualTo(Bool.and(List.of(t("ANDROID"), t("ORACLE"), t("NOTE"))));
    }

    @Test
    void notBindsTighterThanAndWhichBindsTighterThanOr() {
        assertThat(parse("a OR b AND NOT c")).isEqualTo(Bool.or(List.of(t("a"),
                new Bool(List.of(t("b")), List.of(), List.of(t("c"))))));
        assertThat(parse("a b OR c")).isEqualTo(Bool.or(List.of(Bool.and(List.of(t("a"), t("b"))), t("c"))));
    }

    @Test
    void plusAndMinusMarkRequiredAndProhibited() {
        assertThat(parse("+a -b c")).isEqualTo(new Bool(List.of(t("a"), t("c")), List.of(), List.of(t("b"))));
        assertThat(parse("+a")).isEqualTo(t("a"));
    }

    @Test
    void notInsideAChainGoesToMustNot() {
        assertThat(parse("a NOT b")).isEqualTo(new Bool(List.of(t("a")), List.of(), List.of(t("b"))));
        assertThat(parse("NOT a AND NOT b")).isEqualTo(new Bool(List.of(), List.of(), List.of(t("a"), t("b"))));
        assertThat(parse("NOT NOT a")).isEqualTo(Bool.not(Bool.not(t("a"))));
    }

    @Test
    void parenthesesNest() {
        assertThat(parse("(a OR b) AND c"))
                .isEqualTo(Bool.and(List.of(Bool.or(List.of(t("a"), t("b"))), t("c"))));
        assertThat(parse("((a))")).isEqualTo(t("a"));
        assertThat(parse("NOT (a OR b)")).isEqualTo(Bool.not(Bool.or(List.of(t("a"), t("b")))));
    }

    @Test
    void fieldValueAndFieldPhrase() {
        assertThat(parse("status:500")).isEqualTo(t("status", "500"));
        assertThat(parse("log:\"connection refused\"")).isEqualTo(new Phrase("log", "connection refused"));
        assertThat(parse("level: error")).isEqualTo(t("level", "error"));
        assertThat(parse("__ext.container_id:abc")).isEqualTo(t("__ext.container_id", "abc"));
    }

    @Test
    void fieldGroupAppliesFieldToEveryValue() {
        assertThat(parse("status:(500 OR 503)")).isEqualTo(Bool.or(List.of(t("status", "500"), t("status", "503"))));
        assertThat(parse("log:(a \"b c\" -d)")).isEqualTo(new Bool(List.of(t("log", "a"), new Phrase("log", "b c")),
                List.of(), List.of(t("log", "d"))));
    }

    @Test
    void valueAfterFieldMayContainColons() {
        assertThat(parse("time:12:30:01")).isEqualTo(t("time", "12:30:01"));
    }

    @Test
    void wordsWithDashesAndSlashesStayOneTerm() {
        assertThat(parse("host:web-01 path:var/log")).isEqualTo(Bool.and(List.of(t("host", "web-01"),
                t("path", "var/log"))));
    }

    @Test
    void wildcards() {
        assertThat(parse("host:web-*")).isEqualTo(new Wildcard("host", "web-*"));
        assertThat(parse("te?t")).isEqualTo(new Wildcard(null, "te?t"));
        assertThat(parse("a\\*b*")).isEqualTo(new Wildcard(null, "a\\*b*"));
        assertThat(parse("a\\*b")).isEqualTo(t("a*b"));
    }

    @Test
    void fieldStarIsExists() {
        assertThat(parse("trace_id:*")).isEqualTo(new Exists("trace_id"));
        assertThat(parse("_exists_:trace_id")).isEqualTo(new Exists("trace_id"));
        assertThat(parse("*:error")).isEqualTo(t("error"));
    }

    @Test
    void regex() {
        assertThat(parse("path:/\\/api\\/v[12]\\/.*/")).isEqualTo(new Regex("path", "/api/v[12]/.*"));
        assertThat(parse("/joh?n(ath[oa]n)/")).isEqualTo(new Regex(null, "joh?n(ath[oa]n)"));
        assertThat(parse("/a\\.b/ x")).isEqualTo(Bool.and(List.of(new Regex(null, "a\\.b"), t("x"))));
    }

    @Test
    void ranges() {
        assertThat(parse("status:[400 TO 499]")).isEqualTo(new Range("status", "400", "499", true, true));
        assertThat(parse("status:{400 TO 499}")).isEqualTo(new Range("status", "400", "499", false, false));
        assertThat(parse("status:[400 TO 499}")).isEqualTo(new Range("status", "400", "499", true, false));
        assertThat(parse("status:{400 TO *]")).isEqualTo(new Range("status", "400", null, false, true));
        assertThat(parse("t:[2024-01-01T00:00:00Z TO \"2024-01-02 00:00:00\"]"))
                .isEqualTo(new Range("t", "2024-01-01T00:00:00Z", "2024-01-02 00:00:00", true, true));
        assertThat(parse("x:[\\* TO b]")).isEqualTo(new Range("x", "*", "b", true, true));
    }

    @Test
    void rangeUsesDefaultField() {
        assertThat(parse("[1 TO 2]", "n")).isEqualTo(new Range("n", "1", "2", true, true));
    }

    @Test
    void comparisons() {
        assertThat(parse("n:>=5")).isEqualTo(Range.atLeast("n", "5"));
        assertThat(parse("n:>5")).isEqualTo(Range.greaterThan("n", "5"));
        assertThat(parse("n:<5")).isEqualTo(Range.lessThan("n", "5"));
        assertThat(parse("n:<=5")).isEqualTo(Range.atMost("n", "5"));
        assertThat(parse("n:>= 5")).isEqualTo(Range.atLeast("n", "5"));
        assertThat(parse("t:>=2024-01-01T10:00:00Z")).isEqualTo(Range.atLeast("t", "2024-01-01T10:00:00Z"));
    }

    @Test
    void comparisonsInsideAFieldGroupOrWithADefaultField() {
        assertThat(parse("status:(>=500 OR 404)"))
                .isEqualTo(Bool.or(List.of(Range.atLeast("status", "500"), t("status", "404"))));
        assertThat(parse("<10", "n")).isEqualTo(Range.lessThan("n", "10"));
        assertThat(parse(">10")).isEqualTo(t(">10"));
    }

    @Test
    void backslashEscapesSpecialCharacters() {
        assertThat(parse("a\\:b")).isEqualTo(t("a:b"));
        assertThat(parse("\\(x\\)")).isEqualTo(t("(x)"));
        assertThat(parse("\\-5")).isEqualTo(t("-5"));
        assertThat(parse("a\\ b")).isEqualTo(t("a b"));
        assertThat(parse("\\AND")).isEqualTo(t("AND"));
        assertThat(parse("\"say \\\"hi\\\"\"")).isEqualTo(new Phrase(null, "say \"hi\""));
        assertThat(parse("\\_exists_:x")).isEqualTo(t("_exists_", "x"));
    }

    @Test
    void ideographicSpaceSeparatesTerms() {
        assertThat(parse("错误\u3000超时")).isEqualTo(Bool.and(List.of(t("错误"), t("超时"))));
    }

    private static void assertError(String query, String message) {
        assertThatThrownBy(() -> parse(query)).isInstanceOf(QuerySyntaxException.class).hasMessage(message);
    }

    @Test
    void unclosedParenthesisNamesPositionAndExpectation() {
        assertError("(error OR warn", "expected ')' at position 14 but found end of input (to close the '(' at position 0)");
        QuerySyntaxException e = (QuerySyntaxException) org.assertj.core.api.Assertions.catchThrowable(
                () -> parse("(error OR warn"));
        assertThat(e.position()).isEqualTo(14);
        assertThat(e.found()).isEqualTo("end of input");
        assertThat(e.expected()).isEqualTo("')'");
    }

    @Test
    void syntaxErrors() {
        assertError("a AND", "expected a term, a phrase or '(' after 'AND' at position 5 but found end of input");
        assertError("a OR OR b", "expected a term, a phrase or '(' after 'OR' at position 5 but found 'OR'");
        assertError("AND a", "expected a term, a phrase or '(' at position 0 but found 'AND'");
        assertError("a)", "expected an operator, a term or end of input at position 1 but found ')' (no '(' opens this ')')");
        assertError("()", "expected a query inside the '(' at position 0 at position 1 but found ')'");
        assertError("\"abc", "expected '\"' at position 4 but found end of input (to close the phrase opened at position 0)");
        assertError("status:", "expected a value after 'status:' at position 7 but found end of input");
        assertError("a\\", "expected a character after '\\' at position 2 but found end of input "
                + "(write '\\\\' to search for a backslash)");
        assertError("NOT", "expected a term, a phrase or '(' after 'NOT' at position 3 but found end of input");
        assertError("a ]", "expected a term, a phrase or '(' at position 2 but found ']'");
    }

    @Test
    void rangeErrors() {
        assertError("[1 TO 2]", "expected a term, a phrase or '(' at position 0 but found '[' "
                + "(a range needs a field, e.g. status:[400 TO 499])");
        assertError("n:[1 2]", "expected 'TO' at position 5 but found '2' (a range is written [from TO to])");
        assertError("n:[1 TO 2", "expected ']' or '}' at position 9 but found end of input (to close the range opened at position 2)");
        assertError("n:[1 TO ]", "expected an upper bound at position 8 but found ']'");
        assertError("n:>", "expected a value after '>' at position 3 but found end of input");
        assertError("n:>=*", "expected a value after '>=' at position 4 but found '*' (write n:* to test that the field exists)");
    }

    @Test
    void unsupportedFeaturesAreNamed() {
        assertError("error^2", "expected whitespace, an operator or end of input at position 5 but found '^' "
                + "(boosting with '^' is not supported; write '\\^' to search for it)");
        assertError("\"a b\"~3", "expected whitespace, an operator or end of input at position 5 but found '~' "
                + "(fuzzy and proximity search with '~' are not supported; write '\\~' to search for it)");
        assertError("ho*t:x", "expected a field name at position 0 but found 'ho*t' (wildcards in field names are not supported)");
    }

    @Test
    void regexErrors() {
        assertError("path:/var/log/x.log", "expected whitespace, ')' or end of input after the regular expression "
                + "at position 10 but found 'log/x.log' (to search a path, quote it (\"/var/log/app.log\") or escape each '/' as '\\/')");
        assertError("/abc", "expected '/' at position 4 but found end of input (to close the regular expression "
                + "opened at position 0; escape a '/' you search for as '\\/')");
    }

    @Test
    void deepNestingIsRefusedWithASyntaxError() {
        String deep = "(".repeat(5000) + "a" + ")".repeat(5000);
        assertThatThrownBy(() -> parse(deep)).isInstanceOf(QuerySyntaxException.class)
                .hasMessageContaining("at most 100 nested");
        assertThat(parse("(".repeat(50) + "a" + ")".repeat(50))).isEqualTo(t("a"));
    }

    @Test
    void moreThan1024ClausesIsASyntaxErrorAtTheFirstClauseTooMany() {
        StringBuilder ok = new StringBuilder("log:a0");
        for (int i = 1; i < QueryStringParser.MAX_CLAUSES; i++) ok.append(" OR log:a").append(i);
        assertThat(parse(ok.toString())).isInstanceOf(Bool.class);
        String tooMany = ok + " OR (x AND y)";
        assertThatThrownBy(() -> parse(tooMany)).isInstanceOf(QuerySyntaxException.class)
                .hasMessageContaining("at most 1024 clauses")
                .extracting(e -> ((QuerySyntaxException) e).position()).isEqualTo(tooMany.length() - 8);
    }
}
