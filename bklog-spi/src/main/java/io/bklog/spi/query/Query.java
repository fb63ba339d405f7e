package io.bklog.spi.query;

import java.util.List;
import java.util.Objects;

/**
 * The query AST every {@code LogStore} evaluates. It has one meaning on every backend; the
 * testkit's {@code LogStoreContract} pins it down.
 *
 * <p>Field semantics, by the index set's field type:
 * <ul>
 *   <li>{@code text}: the value is analyzed by {@link TextAnalysis}; a {@link Term} matches when every token is
 *       present, a {@link Phrase} when they are adjacent and in order; {@link Wildcard} and {@link Regex} patterns
 *       are lower-cased and must match one whole token.</li>
 *   <li>{@code keyword}, {@code ip}: exact, case-sensitive value.</li>
 *   <li>{@code long}, {@code double}, {@code date}: numeric equality / order; a date value is epoch millis
 *       or ISO-8601. A value that does not parse matches nothing.</li>
 *   <li>{@code boolean}: {@code true} / {@code false}.</li>
 * </ul>
 * A {@code null} field means "any field": every text field (analyzed) and every keyword field (exact).
 * A field the index set does not have matches nothing (the search service rejects it earlier with a 400);
 * document fields outside the mapping are kept in the source but are not searchable.
 * A {@link Phrase} on a keyword field is exact equality. {@link Range} on a text field is not defined (the search
 * service rejects it).
 */
public sealed interface Query
        permits Query.MatchAll, Query.Term, Query.Phrase, Query.Wildcard, Query.Regex, Query.Range,
                Query.Exists, Query.Bool {

    /** Matches every document. */
    record MatchAll() implements Query {
        public static final MatchAll INSTANCE = new MatchAll();
    }

    /** A single value: {@code error}, {@code status:500}. {@code field} null = any field. */
    record Term(String field, String value) implements Query {
        public Term {
            Objects.requireNonNull(value, "value");
        }
    }

    /** Words in this order: {@code "connection refused"}. */
    record Phrase(String field, String text) implements Query {
        public Phrase {
            Objects.requireNonNull(text, "text");
        }
    }

    /** {@code *} any run of characters, {@code ?} one character: {@code host:web-*}. */
    record Wildcard(String field, String pattern) implements Query {
        public Wildcard {
            Objects.requireNonNull(pattern, "pattern");
        }
    }

    /** A regular expression over the whole value (Lucene regexp syntax, anchored): {@code path:/\/api\/v[12]\/.*}/}. */
    record Regex(String field, String pattern) implements Query {
        public Regex {
            Objects.requireNonNull(pattern, "pattern");
        }
    }

    /**
     * {@code [a TO b]}, {@code {a TO b}}, {@code >=a}. A null bound is open. Numeric and date fields compare as
     * numbers, keyword fields lexicographically.
     */
    record Range(String field, String lower, String upper, boolean includeLower, boolean includeUpper)
            implements Query {
        public Range {
            Objects.requireNonNull(field, "field");
        }

        public static Range atLeast(String field, String v) { return new Range(field, v, null, true, false); }
        public static Range greaterThan(String field, String v) { return new Range(field, v, null, false, false); }
        public static Range atMost(String field, String v) { return new Range(field, null, v, false, true); }
        public static Range lessThan(String field, String v) { return new Range(field, null, v, false, false); }
    }

    /** The document has a value for the field: {@code _exists_:field}. */
    record Exists(String field) implements Query {
        public Exists {
            Objects.requireNonNull(field, "field");
        }
    }

    /**
     * Every {@code must}, none of {@code mustNot}, and — when {@code should} is not empty — at least one
     * {@code should}. An empty Bool matches everything.
     */
    record Bool(List<Query> must, List<Query> should, List<Query> mustNot) implements Query {
        public Bool {
            must = List.copyOf(must);
            should = List.copyOf(should);
            mustNot = List.copyOf(mustNot);
        }

        public static Bool and(List<Query> qs) { return new Bool(qs, List.of(), List.of()); }
        public static Bool or(List<Query> qs) { return new Bool(List.of(), qs, List.of()); }
        public static Bool not(Query q) { return new Bool(List.of(), List.of(), List.of(q)); }
    }

    static Query matchAll() {
        return MatchAll.INSTANCE;
    }
}
