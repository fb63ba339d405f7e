package io.bklog.core.query;

import io.bklog.spi.query.Query;
import io.bklog.spi.query.Query.Bool;
import io.bklog.spi.query.Query.Exists;
import io.bklog.spi.query.Query.Phrase;
import io.bklog.spi.query.Query.Range;
import io.bklog.spi.query.Query.Regex;
import io.bklog.spi.query.Query.Term;
import io.bklog.spi.query.Query.Wildcard;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

class QueryRoundTripProperties {

    private static final String CHARS = "aZ09_.-+!():^[]\"{}~*?\\/<>=&|, \t\u3000中é";

    @Property(tries = 1000, edgeCases = EdgeCasesMode.FIRST)
    void printedCanonicalQueryParsesBackToAnEqualAst(@ForAll("canonicalQueries") Query query) {
        String printed = QueryPrinter.print(query);
        assertThat(QueryStringParser.parse(printed)).as("parse(%s)", printed).isEqualTo(query);
    }

    @Property(tries = 1500)
    void arbitraryInputOnlyEverFailsWithASyntaxError(@ForAll("queryLikeStrings") String input) {
        try {
            QueryStringParser.parse(input);
        } catch (QuerySyntaxException e) {
            assertThat(e.position()).isBetween(0, input.length());
        }
    }

    @Property(tries = 1500)
    void whateverParsesPrintsToTheSameAst(@ForAll("queryLikeStrings") String input) {
        Query parsed;
        try {
            parsed = QueryStringParser.parse(input);
        } catch (QuerySyntaxException e) {
            return;
        }
        String printed = QueryPrinter.print(parsed);
        assertThatCode(() -> QueryStringParser.parse(printed)).as("printed %s", printed).doesNotThrowAnyException();
        assertThat(QueryStringParser.parse(printed)).as("parse(%s)", printed).isEqualTo(parsed);
    }

    @Provide
    Arbitrary<String> queryLikeStrings() {
        Arbitrary<String> pieces = Arbitraries.oneOf(
                Arbitraries.strings().withChars(CHARS).ofMaxLength(4),
                Arbitraries.of("AND", "OR", "NOT", "TO", "&&", "||", "_exists_:", "*:", "f:", "n:>=", "[1 TO 5]",
                        "{a TO *]", "(", ")", "\"", "/", "\\", " ", "a", "b*", "x?y", "*", "-", "+", "!"));
        return Arbitraries.oneOf(
                pieces.list().ofMaxSize(12).map(l -> String.join("", l)),
                Arbitraries.strings().ofMaxLength(30),
                Arbitraries.strings().withChars(CHARS).ofMaxLength(30));
    }

    @Provide
    Arbitrary<Query> canonicalQueries() {
        return Arbitraries.recursive(this::leaf, this::bool, 0, 4);
    }

    private Arbitrary<Query> bool(Arbitrary<Query> child) {
        Arbitrary<Query> or = child.list().ofMinSize(2).ofMaxSize(4).map(Bool::or);
        Arbitrary<Query> and = Combinators.combine(child.list().ofMaxSize(3), child.list().ofMaxSize(3))
                .as((must, mustNot) -> (Query) new Bool(must, List.of(), mustNot))
                .filter(b -> {
                    Bool bool = (Bool) b;
                    return !bool.mustNot().isEmpty() || bool.must().size() >= 2;
                });
        return Arbitraries.oneOf(or, and);
    }

    private Arbitrary<Query> leaf() {
        Arbitrary<String> field = text(1);
        Arbitrary<String> optionalField = field.injectNull(0.3);
        Arbitrary<String> bound = text(0).injectNull(0.3);
        return Arbitraries.oneOf(
                Arbitraries.just(Query.matchAll()),
                Combinators.combine(optionalField, text(1)).as(Term::new),
                Combinators.combine(optionalField, text(0)).as(Phrase::new),
                Combinators.combine(optionalField, wildcardPattern()).as(Wildcard::new),
                Combinators.combine(optionalField, regexPattern()).as(Regex::new),
                Combinators.combine(field, bound, bound, Arbitraries.of(true, false), Arbitraries.of(true, false))
                        .as(Range::new),
                field.map(Exists::new));
    }

    private Arbitrary<String> text(int minLength) {
        return Arbitraries.oneOf(
                Arbitraries.strings().withChars(CHARS).ofMinLength(minLength).ofMaxLength(8),
                Arbitraries.strings().alpha().numeric().ofMinLength(Math.max(1, minLength)).ofMaxLength(8),
                Arbitraries.of("AND", "OR", "NOT", "TO", "_exists_", "*", "-5", "&&x", "||", "web-01", "a:b",
                        "/var/log/app.log", ">=5", "=x"));
    }

    private Arbitrary<String> wildcardPattern() {
        Arbitrary<String> piece = Arbitraries.oneOf(
                Arbitraries.strings().withChars("ab-:/ ()\"!+".toCharArray()).ofMinLength(1).ofMaxLength(3),
                Arbitraries.of("*", "?", "\\*", "\\?", "\\\\"));
        return piece.list().ofMinSize(1).ofMaxSize(5).map(l -> String.join("", l))
                .filter(p -> p.replace("\\*", "").replace("\\?", "").replace("\\\\", "").matches(".*[*?].*"))
                .filter(p -> !p.equals("*"));
    }

    private Arbitrary<String> regexPattern() {
        Arbitrary<String> piece = Arbitraries.oneOf(
                Arbitraries.strings().withChars("ab.*+?()[]{}|/ \"^~:".toCharArray()).ofMinLength(1).ofMaxLength(3),
                Arbitraries.of("\\d", "\\.", "\\\\", "\\s"));
        return piece.list().ofMaxSize(4).map(l -> String.join("", l));
    }
}
