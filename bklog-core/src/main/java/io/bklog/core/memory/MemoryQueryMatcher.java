package io.bklog.core.memory;

import io.bklog.core.memory.MemoryDocument.Token;
import io.bklog.core.regex.SafePattern;
import io.bklog.core.regex.UserRegex;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.FieldValues;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.query.Query;
import io.bklog.spi.query.RegexTooComplexException;
import io.bklog.spi.query.TextAnalysis;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The query AST compiled against one index set mapping, as the {@link Query} javadoc defines it: evaluates a
 * document and finds the spans to highlight.
 */
final class MemoryQueryMatcher {

    private final Node root;

    MemoryQueryMatcher(Query query, IndexSetSchema schema) {
        Map<String, FieldType> types = new LinkedHashMap<>();
        for (FieldSpec f : schema.fields()) {
            types.put(f.name(), f.type());
        }
        this.root = compile(query, types);
    }

    boolean matches(MemoryDocument d) {
        return root.matches(d);
    }

    /** Field → each matched value with {@code <mark>} around matched tokens (text) or around the value (keyword). */
    Map<String, List<String>> highlight(MemoryDocument d) {
        Marks marks = new Marks();
        root.mark(d, marks);
        return marks.render(d);
    }

    // ------------------------------------------------------------------ compile

    private static Node compile(Query q, Map<String, FieldType> types) {
        if (q instanceof Query.MatchAll) return ALL;
        if (q instanceof Query.Bool b) {
            return new BoolNode(
                    b.must().stream().map(x -> compile(x, types)).toList(),
                    b.should().stream().map(x -> compile(x, types)).toList(),
                    b.mustNot().stream().map(x -> compile(x, types)).toList());
        }
        if (q instanceof Query.Exists e) {
            FieldType t = types.get(e.field());
            return t == null ? NONE : new FieldNode(e.field(), t, v -> true, null);
        }
        if (q instanceof Query.Range r) {
            FieldType t = types.get(r.field());
            return t == null ? NONE : range(r, t);
        }
        if (q instanceof Query.Term t) {
            return leaf(t.field(), types, (field, type) -> term(field, type, t.value()));
        }
        if (q instanceof Query.Phrase p) {
            return leaf(p.field(), types, (field, type) -> phrase(field, type, p.text()));
        }
        if (q instanceof Query.Wildcard w) {
            String exact = wildcardToRegex(w.pattern());
            List<String> parts = TextAnalysis.wildcardParts(w.pattern());
            return leaf(w.field(), types, (field, type) -> type == FieldType.TEXT
                    ? textWildcard(field, parts, w.pattern()) : pattern(field, type, exact, exact, w.pattern()));
        }
        if (q instanceof Query.Regex r) {
            String exact = luceneRegexToJava(r.pattern());
            String lower = luceneRegexToJava(DocumentValues.lower(r.pattern()));
            return leaf(r.field(), types, (field, type) -> pattern(field, type, exact, lower, r.pattern()));
        }
        throw new IllegalArgumentException("unknown query node " + q.getClass().getName());
    }

    @FunctionalInterface
    private interface LeafFactory {
        Node create(String field, FieldType type);
    }

    /** A leaf on one field, or on every text and keyword field when the field is null. */
    private static Node leaf(String field, Map<String, FieldType> types, LeafFactory f) {
        if (field == null) {
            List<Node> any = new ArrayList<>();
            types.forEach((name, type) -> {
                if (type == FieldType.TEXT || type == FieldType.KEYWORD) any.add(f.create(name, type));
            });
            return new BoolNode(List.of(), any, List.of(), true);
        }
        FieldType type = types.get(field);
        return type == null ? NONE : f.create(field, type);
    }

    private static Node term(String field, FieldType type, String value) {
        return switch (type) {
            case TEXT -> {
                Set<String> tokens = new HashSet<>(TextAnalysis.tokens(value));
                yield tokens.isEmpty() ? NONE : new TextTermsNode(field, tokens);
            }
            case KEYWORD -> new FieldNode(field, type, value::equals, value::equals);
            default -> equality(field, type, value);
        };
    }

    private static Node phrase(String field, FieldType type, String text) {
        return switch (type) {
            case TEXT -> {
                List<String> tokens = TextAnalysis.tokens(text);
                yield tokens.isEmpty() ? NONE
                        : new TextRunNode(field, tokens.stream().<Predicate<String>>map(t -> t::equals).toList());
            }
            case KEYWORD -> new FieldNode(field, type, text::equals, text::equals);
            default -> equality(field, type, text);
        };
    }

    private static Node equality(String field, FieldType type, String value) {
        Object parsed = DocumentValues.parseQueryValue(type, value);
        if (parsed == null) return NONE;
        if (type == FieldType.IP) return new FieldNode(field, type, parsed::equals, parsed::equals);
        return new FieldNode(field, type, v -> sameKind(v, parsed) && DocumentValues.compare(type, v, parsed) == 0,
                null);
    }

    private static boolean sameKind(Object v, Object parsed) {
        return (v instanceof Number && parsed instanceof Number) || (v instanceof Boolean && parsed instanceof Boolean)
                || (v instanceof String && parsed instanceof String);
    }

    /** A wildcard on text: one token per {@link TextAnalysis#wildcardParts part}, consecutive when several. */
    private static Node textWildcard(String field, List<String> parts, String original) {
        if (parts.isEmpty()) return NONE;
        List<Predicate<String>> run = new ArrayList<>(parts.size());
        for (String part : parts) {
            SafePattern p = compilePattern(wildcardToRegex(part), original);
            run.add(p::find);
        }
        return new TextRunNode(field, run);
    }

    private static Node pattern(String field, FieldType type, String exact, String lower, String original) {
        return switch (type) {
            case TEXT -> new TextPatternNode(field, compilePattern(lower, original));
            case KEYWORD, IP -> {
                SafePattern p = compilePattern(exact, original);
                yield new FieldNode(field, type, v -> v instanceof String s && p.find(s),
                        v -> v instanceof String s && p.find(s));
            }
            default -> NONE;
        };
    }

    /** The whole-value pattern, matched in linear time ({@link SafePattern}: no query can hold the thread). */
    private static SafePattern compilePattern(String regex, String original) {
        try {
            return SafePattern.compile("\\A(?:" + regex + ")\\z", SafePattern.DOTALL);
        } catch (UserRegex.InvalidRegexException e) {
            if (e.getMessage().contains("repeat count")) {
                throw new RegexTooComplexException(null, original, e.getMessage(), e);
            }
            throw new IllegalArgumentException("invalid pattern '" + original + "': " + e.getMessage(), e);
        }
    }

    private static Node range(Query.Range r, FieldType type) {
        switch (type) {
            case LONG, DATE -> {
                Long lo = Long.MIN_VALUE;
                Long hi = Long.MAX_VALUE;
                if (r.lower() != null) {
                    lo = integralBound(type, r.lower(), r.includeLower(), true);
                    if (lo == null) return NONE;
                }
                if (r.upper() != null) {
                    hi = integralBound(type, r.upper(), r.includeUpper(), false);
                    if (hi == null) return NONE;
                }
                long l = lo;
                long h = hi;
                return new FieldNode(r.field(), type,
                        v -> v instanceof Number n && n.longValue() >= l && n.longValue() <= h
                                && !(v instanceof Double), null);
            }
            case DOUBLE -> {
                Double lo = r.lower() == null ? null : FieldValues.parseDouble(r.lower());
                Double hi = r.upper() == null ? null : FieldValues.parseDouble(r.upper());
                if ((r.lower() != null && lo == null) || (r.upper() != null && hi == null)) return NONE;
                return new FieldNode(r.field(), type, v -> {
                    if (!(v instanceof Number n)) return false;
                    double d = n.doubleValue();
                    if (lo != null && (r.includeLower() ? d < lo : d <= lo)) return false;
                    return hi == null || (r.includeUpper() ? d <= hi : d < hi);
                }, null);
            }
            case KEYWORD, IP, BOOLEAN -> {
                Object lo = r.lower() == null ? null : DocumentValues.parseQueryValue(type, r.lower());
                Object hi = r.upper() == null ? null : DocumentValues.parseQueryValue(type, r.upper());
                if ((r.lower() != null && lo == null) || (r.upper() != null && hi == null)) return NONE;
                return new FieldNode(r.field(), type, v -> {
                    if (!sameKind(v, lo == null ? (hi == null ? v : hi) : lo)) return false;
                    if (lo != null) {
                        int c = DocumentValues.compare(type, v, lo);
                        if (r.includeLower() ? c < 0 : c <= 0) return false;
                    }
                    if (hi != null) {
                        int c = DocumentValues.compare(type, v, hi);
                        return r.includeUpper() ? c <= 0 : c < 0;
                    }
                    return true;
                }, null);
            }
            default -> {
                return NONE; // a range on a text field is not defined
            }
        }
    }

    /** The smallest (lower) or largest (upper) long the bound admits; null when it does not parse. */
    private static Long integralBound(FieldType type, String s, boolean inclusive, boolean lower) {
        BigDecimal d;
        if (type == FieldType.DATE) {
            Long millis = FieldValues.parseDateMillis(s);
            if (millis == null) return null;
            d = BigDecimal.valueOf(millis);
        } else {
            d = FieldValues.parseDecimal(s);
            if (d == null) return null;
        }
        boolean integral = d.stripTrailingZeros().scale() <= 0;
        BigDecimal b;
        if (lower) {
            b = integral ? (inclusive ? d : d.add(BigDecimal.ONE)) : d.setScale(0, RoundingMode.CEILING);
        } else {
            b = integral ? (inclusive ? d : d.subtract(BigDecimal.ONE)) : d.setScale(0, RoundingMode.FLOOR);
        }
        if (b.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) return Long.MAX_VALUE;
        if (b.compareTo(BigDecimal.valueOf(Long.MIN_VALUE)) < 0) return Long.MIN_VALUE;
        return b.longValue();
    }

    /** Lucene wildcard ({@code *}, {@code ?}, {@code \} escapes) as a Java regex over the whole value. */
    static String wildcardToRegex(String pattern) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\' && i + 1 < pattern.length()) {
                sb.append(Pattern.quote(String.valueOf(pattern.charAt(++i))));
            } else if (c == '*') {
                sb.append(".*");
            } else if (c == '?') {
                sb.append('.');
            } else {
                sb.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return sb.toString();
    }

    /**
     * Lucene regexp syntax as a Java regex: {@code "..."} quotes, {@code @} is any string, {@code #} the empty
     * language; {@code ^ $ & ~ < >} are literals outside character classes (the interval, intersection and
     * complement operators are not supported).
     */
    static String luceneRegexToJava(String pattern) {
        StringBuilder sb = new StringBuilder();
        boolean inClass = false;
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\' && i + 1 < pattern.length()) {
                sb.append(c).append(pattern.charAt(++i));
                continue;
            }
            if (inClass) {
                if (c == ']') inClass = false;
                if (c == '&' || c == '[') sb.append('\\');
                sb.append(c);
                continue;
            }
            switch (c) {
                case '[' -> {
                    inClass = true;
                    sb.append(c);
                    if (i + 1 < pattern.length() && pattern.charAt(i + 1) == '^') sb.append(pattern.charAt(++i));
                }
                case '"' -> {
                    int end = pattern.indexOf('"', i + 1);
                    if (end < 0) throw new IllegalArgumentException("invalid pattern '" + pattern
                            + "': unterminated quoted string at " + i);
                    sb.append(Pattern.quote(pattern.substring(i + 1, end)));
                    i = end;
                }
                case '@' -> sb.append(".*");
                case '#' -> sb.append("[^\\x00-\\x{10FFFF}]");
                case '^', '$', '&', '~', '<', '>' -> sb.append('\\').append(c);
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ nodes

    private interface Node {
        boolean matches(MemoryDocument d);

        /** Records what this node highlights in {@code d} (positive clauses only). */
        default void mark(MemoryDocument d, Marks marks) {
        }
    }

    private static final Node ALL = d -> true;
    private static final Node NONE = d -> false;

    private record BoolNode(List<Node> must, List<Node> should, List<Node> mustNot, boolean anyField)
            implements Node {
        BoolNode(List<Node> must, List<Node> should, List<Node> mustNot) {
            this(must, should, mustNot, false);
        }

        @Override
        public boolean matches(MemoryDocument d) {
            for (Node n : must) {
                if (!n.matches(d)) return false;
            }
            for (Node n : mustNot) {
                if (n.matches(d)) return false;
            }
            if (should.isEmpty()) return !anyField;
            for (Node n : should) {
                if (n.matches(d)) return true;
            }
            return false;
        }

        @Override
        public void mark(MemoryDocument d, Marks marks) {
            must.forEach(n -> n.mark(d, marks));
            should.forEach(n -> n.mark(d, marks));
        }
    }

    @FunctionalInterface
    private interface ValueTest {
        boolean test(Object value);
    }

    /** A test on the values of one non-text field; {@code highlight} (keyword/ip only) marks a matched value. */
    private record FieldNode(String field, FieldType type, ValueTest test, ValueTest highlight) implements Node {
        @Override
        public boolean matches(MemoryDocument d) {
            Object v = d.get(field);
            if (v == null) return false;
            if (v instanceof List<?> list) {
                for (Object o : list) {
                    if (o != null && test.test(o)) return true;
                }
                return false;
            }
            return test.test(v);
        }

        @Override
        public void mark(MemoryDocument d, Marks marks) {
            if (highlight == null) return;
            List<Object> values = DocumentValues.values(d.get(field));
            for (int i = 0; i < values.size(); i++) {
                if (highlight.test(values.get(i))) marks.whole(field, i);
            }
        }
    }

    private record TextTermsNode(String field, Set<String> terms) implements Node {
        @Override
        public boolean matches(MemoryDocument d) {
            for (List<Token> value : d.tokens(field)) {
                if (terms.size() == 1) {
                    for (Token t : value) {
                        if (terms.contains(t.term())) return true;
                    }
                    continue;
                }
                Set<String> seen = null;
                for (Token t : value) {
                    if (terms.contains(t.term())) {
                        if (seen == null) seen = new HashSet<>();
                        seen.add(t.term());
                    }
                }
                if (seen != null && seen.size() == terms.size()) return true;
            }
            return false;
        }

        @Override
        public void mark(MemoryDocument d, Marks marks) {
            List<List<Token>> values = d.tokens(field);
            for (int i = 0; i < values.size(); i++) {
                for (Token t : values.get(i)) {
                    if (terms.contains(t.term())) marks.span(field, i, t.start(), t.end());
                }
            }
        }
    }

    private record TextPatternNode(String field, SafePattern pattern) implements Node {
        @Override
        public boolean matches(MemoryDocument d) {
            for (List<Token> value : d.tokens(field)) {
                for (Token t : value) {
                    if (pattern.find(t.term())) return true;
                }
            }
            return false;
        }

        @Override
        public void mark(MemoryDocument d, Marks marks) {
            List<List<Token>> values = d.tokens(field);
            for (int i = 0; i < values.size(); i++) {
                for (Token t : values.get(i)) {
                    if (pattern.find(t.term())) marks.span(field, i, t.start(), t.end());
                }
            }
        }
    }

    /** Consecutive tokens, each matching its predicate in order: a phrase, or a wildcard spanning separators. */
    private record TextRunNode(String field, List<Predicate<String>> run) implements Node {
        @Override
        public boolean matches(MemoryDocument d) {
            for (List<Token> value : d.tokens(field)) {
                if (!occurrences(value).isEmpty()) return true;
            }
            return false;
        }

        private List<Integer> occurrences(List<Token> value) {
            List<Integer> out = new ArrayList<>();
            outer:
            for (int i = 0; i + run.size() <= value.size(); i++) {
                for (int k = 0; k < run.size(); k++) {
                    if (!run.get(k).test(value.get(i + k).term())) continue outer;
                }
                out.add(i);
            }
            return out;
        }

        @Override
        public void mark(MemoryDocument d, Marks marks) {
            List<List<Token>> values = d.tokens(field);
            for (int i = 0; i < values.size(); i++) {
                List<Token> value = values.get(i);
                for (int start : occurrences(value)) {
                    for (int k = 0; k < run.size(); k++) {
                        Token t = value.get(start + k);
                        marks.span(field, i, t.start(), t.end());
                    }
                }
            }
        }
    }

    /** Spans to highlight, per field and value index; a span of -1 marks the whole value. */
    private static final class Marks {
        private final Map<String, Map<Integer, TreeMap<Integer, Integer>>> spans = new LinkedHashMap<>();

        void span(String field, int value, int start, int end) {
            TreeMap<Integer, Integer> m = spans.computeIfAbsent(field, f -> new TreeMap<>())
                    .computeIfAbsent(value, v -> new TreeMap<>());
            m.merge(start, end, Math::max);
        }

        void whole(String field, int value) {
            span(field, value, -1, -1);
        }

        Map<String, List<String>> render(MemoryDocument d) {
            Map<String, List<String>> out = new LinkedHashMap<>();
            for (String field : d.source().keySet()) {
                Map<Integer, TreeMap<Integer, Integer>> byValue = spans.get(field);
                if (byValue == null) continue;
                List<Object> values = DocumentValues.values(d.get(field));
                List<String> fragments = new ArrayList<>();
                new TreeMap<>(byValue).forEach((i, s) -> {
                    if (i < values.size()) fragments.add(render(values.get(i).toString(), s));
                });
                if (!fragments.isEmpty()) out.put(field, fragments);
            }
            return out;
        }

        private static String render(String value, TreeMap<Integer, Integer> s) {
            if (s.containsKey(-1)) return "<mark>" + value + "</mark>";
            StringBuilder sb = new StringBuilder();
            int pos = 0;
            for (Map.Entry<Integer, Integer> e : s.entrySet()) {
                int start = Math.max(e.getKey(), pos);
                int end = e.getValue();
                if (end <= start) continue;
                sb.append(value, pos, start).append("<mark>").append(value, start, end).append("</mark>");
                pos = end;
            }
            sb.append(value.substring(pos));
            return sb.toString();
        }
    }
}
