package io.bklog.core.query;

import io.bklog.spi.query.Query;
import io.bklog.spi.query.Query.Bool;
import io.bklog.spi.query.Query.Exists;
import io.bklog.spi.query.Query.Phrase;
import io.bklog.spi.query.Query.Range;
import io.bklog.spi.query.Query.Regex;
import io.bklog.spi.query.Query.Term;
import io.bklog.spi.query.Query.Wildcard;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses the Lucene query-string syntax people type into bklog and Kibana into the {@link Query} AST.
 *
 * <pre>
 * query    := or EOF                              blank or "*" = MatchAll
 * or       := and (("OR" | "||") and)*
 * and      := unary (("AND" | "&amp;&amp;")? unary)*            no operator = AND
 * unary    := ("NOT" | "!" | "-") unary | "+" unary | primary
 * primary  := "(" or ")" | phrase | regex | term | field ":" value
 * value    := "(" or ")" | phrase | regex | range | comparison | term
 * comparison := (">=" | ">" | "&lt;=" | "&lt;") bound      also bare inside f:( ... ) or with a default field
 * range    := ("[" | "{") bound "TO" bound ("]" | "}")       "*" = open bound
 * </pre>
 *
 * Precedence is NOT &gt; AND &gt; OR; operators are upper-case only ({@code and} is a word to search for).
 * An AND chain becomes one {@link Bool} whose {@code must} holds the plain clauses and whose {@code mustNot}
 * holds the negated ones; an OR chain becomes one {@link Bool} of {@code should}s. Parentheses make a nested
 * node. Special forms: {@code _exists_:f} and {@code f:*} are {@link Exists}; {@code *} and {@code *:*} are
 * {@link Query.MatchAll}; {@code *:v} searches any field. A term with an unescaped {@code *} or {@code ?} is a
 * {@link Wildcard} whose pattern keeps {@code \*}, {@code \?} and {@code \\} escaped; {@code /re/} is a
 * {@link Regex} (a {@code \/} inside stands for {@code /}). A backslash makes the next character literal.
 * Boosts ({@code ^}) and fuzzy/proximity ({@code ~}) are rejected with a {@link QuerySyntaxException}.
 */
public final class QueryStringParser {
    /** Deepest nesting of parentheses and prefix operators accepted. */
    public static final int MAX_DEPTH = 100;
    /** Most clauses (terms, phrases, regexes, ranges, exists) a query may have, as Lucene's default clause limit. */
    public static final int MAX_CLAUSES = 1_024;

    private QueryStringParser() {}

    /** Parses with no default field: bare terms search any field. */
    public static Query parse(String query) {
        return parse(query, null);
    }

    /**
     * Parses {@code query}; bare terms, phrases, wildcards and regexes search {@code defaultField}
     * ({@code null} = any field).
     *
     * @throws QuerySyntaxException if the query does not follow the syntax
     */
    public static Query parse(String query, String defaultField) {
        return new Parser(query == null ? "" : query, defaultField).parseQuery();
    }

    /** Characters that end a term (besides whitespace); {@code :} only where a field name can stand. */
    static boolean isTermStop(char c, boolean allowColon) {
        return Character.isWhitespace(c) || "()[]{}\"^~".indexOf(c) >= 0 || (c == ':' && !allowColon);
    }

    private record Clause(Query query, boolean negated) {
        Query toQuery() {
            return negated ? Bool.not(query) : query;
        }
    }

    private record TermToken(String text, String pattern, boolean wildcard, boolean escaped, int start) {
        boolean isLoneStar() {
            return wildcard && pattern.equals("*");
        }
    }

    private static final class Parser {
        private static final String OPERAND = "a term, a phrase or '('";
        private final String s;
        private final int n;
        private int pos;
        private int depth;
        private int clauses;
        /** field that bare values search: the default field, or f inside f:( ... ) */
        private String context;

        Parser(String s, String defaultField) {
            this.s = s;
            this.n = s.length();
            this.context = defaultField;
        }

        Query parseQuery() {
            skipWs();
            if (pos == n) return Query.matchAll();
            Query q = parseOr();
            skipWs();
            if (pos < n) {
                throw new QuerySyntaxException(pos, found(pos), "an operator, a term or end of input",
                        s.charAt(pos) == ')' ? "no '(' opens this ')'" : null);
            }
            return q;
        }

        private Query parseOr() {
            List<Query> parts = new ArrayList<>();
            parts.add(parseAnd(null));
            while (true) {
                skipWs();
                String op = matchOperator("OR", "||");
                if (op == null) break;
                parts.add(parseAnd(op));
            }
            return parts.size() == 1 ? parts.get(0) : Bool.or(parts);
        }

        private Query parseAnd(String after) {
            List<Query> must = new ArrayList<>();
            List<Query> mustNot = new ArrayList<>();
            add(parseUnary(after), must, mustNot);
            while (true) {
                skipWs();
                String op = matchOperator("AND", "&&");
                if (op != null) {
                    add(parseUnary(op), must, mustNot);
                } else if (atOperandStart()) {
                    add(parseUnary(null), must, mustNot);
                } else {
                    break;
                }
            }
            if (must.size() == 1 && mustNot.isEmpty()) return must.get(0);
            return new Bool(must, List.of(), mustNot);
        }

        private static void add(Clause c, List<Query> must, List<Query> mustNot) {
            (c.negated() ? mustNot : must).add(c.query());
        }

        private Clause parseUnary(String after) {
            skipWs();
            requireOperand(after);
            int start = pos;
            String negation = matchKeyword("NOT") ? "NOT" : matchChar('!') ? "!" : matchChar('-') ? "-" : null;
            if (negation != null || matchChar('+')) {
                enter(start);
                Clause inner = parseUnary(negation != null ? negation : "+");
                depth--;
                return negation != null ? new Clause(inner.toQuery(), true) : inner;
            }
            Query q = parsePrimary();
            if (!(q instanceof Bool) && ++clauses > MAX_CLAUSES) {
                throw new QuerySyntaxException(start, found(start), "at most " + MAX_CLAUSES + " clauses (terms,"
                        + " phrases, regexes, ranges)", "simplify the query, or split it into several searches");
            }
            return new Clause(q, false);
        }

        private Query parsePrimary() {
            char c = s.charAt(pos);
            switch (c) {
                case '(':
                    return group(context);
                case '"':
                    return suffixChecked(new Phrase(context, phrase()));
                case '/':
                    return new Regex(context, regex());
                case '[':
                case '{':
                    if (context == null) {
                        throw new QuerySyntaxException(pos, found(pos), OPERAND,
                                "a range needs a field, e.g. status:[400 TO 499]");
                    }
                    return range(context);
                case '>':
                case '<':
                    if (context != null) return comparison(context);
                    return termOrField();
                default:
                    if (isTermStop(c, false)) throw new QuerySyntaxException(pos, found(pos), OPERAND);
                    return termOrField();
            }
        }

        private Query termOrField() {
            TermToken t = readTerm(false);
            int afterTerm = pos;
            skipWs();
            if (pos < n && s.charAt(pos) == ':') {
                pos++;
                return fieldValue(t);
            }
            pos = afterTerm;
            checkNoSuffix();
            if (t.isLoneStar()) return Query.matchAll();
            return t.wildcard() ? new Wildcard(context, t.pattern()) : new Term(context, t.text());
        }

        private Query fieldValue(TermToken fieldToken) {
            String field = fieldToken.text();
            if (fieldToken.isLoneStar()) {
                field = null;
            } else if (fieldToken.wildcard()) {
                throw new QuerySyntaxException(fieldToken.start(), quote(fieldToken.text()), "a field name",
                        "wildcards in field names are not supported");
            } else if (!fieldToken.escaped() && field.equals("_exists_")) {
                return existsValue();
            }
            skipWs();
            String valueExpected = "a value after '" + (field == null ? "*" : field) + ":'";
            if (pos >= n) throw new QuerySyntaxException(pos, found(pos), valueExpected);
            char c = s.charAt(pos);
            switch (c) {
                case '(':
                    return group(field);
                case '"':
                    return suffixChecked(new Phrase(field, phrase()));
                case '/':
                    return new Regex(field, regex());
                case '[':
                case '{':
                case '>':
                case '<':
                    if (field == null) {
                        throw new QuerySyntaxException(pos, found(pos), valueExpected,
                                "ranges need a named field, not '*'");
                    }
                    return c == '[' || c == '{' ? range(field) : comparison(field);
                default:
                    if (isTermStop(c, true)) throw new QuerySyntaxException(pos, found(pos), valueExpected);
                    TermToken v = readTerm(true);
                    checkNoSuffix();
                    if (v.isLoneStar()) return field == null ? Query.matchAll() : new Exists(field);
                    return v.wildcard() ? new Wildcard(field, v.pattern()) : new Term(field, v.text());
            }
        }

        private Query existsValue() {
            skipWs();
            String expected = "a field name after '_exists_:'";
            if (pos >= n) throw new QuerySyntaxException(pos, found(pos), expected);
            char c = s.charAt(pos);
            if (c == '"') return suffixChecked(new Exists(phrase()));
            if (isTermStop(c, false) || c == '/') throw new QuerySyntaxException(pos, found(pos), expected);
            TermToken t = readTerm(false);
            if (t.wildcard()) {
                throw new QuerySyntaxException(t.start(), quote(t.text()), expected,
                        "wildcards in field names are not supported");
            }
            checkNoSuffix();
            return new Exists(t.text());
        }

        private Query group(String field) {
            int open = pos;
            enter(open);
            pos++;
            String saved = context;
            context = field;
            skipWs();
            if (pos < n && s.charAt(pos) == ')') {
                throw new QuerySyntaxException(pos, found(pos), "a query inside the '(' at position " + open);
            }
            Query q = parseOr();
            skipWs();
            if (pos >= n || s.charAt(pos) != ')') {
                throw new QuerySyntaxException(pos, found(pos), "')'", "to close the '(' at position " + open);
            }
            pos++;
            context = saved;
            depth--;
            return suffixChecked(q);
        }

        private String phrase() {
            int open = pos;
            pos++;
            StringBuilder sb = new StringBuilder();
            while (pos < n) {
                char c = s.charAt(pos);
                if (c == '\\') {
                    if (pos + 1 >= n) break;
                    sb.append(s.charAt(pos + 1));
                    pos += 2;
                } else if (c == '"') {
                    pos++;
                    return sb.toString();
                } else {
                    sb.append(c);
                    pos++;
                }
            }
            throw new QuerySyntaxException(n, "end of input", "'\"'",
                    "to close the phrase opened at position " + open);
        }

        private String regex() {
            int open = pos;
            pos++;
            StringBuilder sb = new StringBuilder();
            while (pos < n) {
                char c = s.charAt(pos);
                if (c == '\\') {
                    if (pos + 1 >= n) break;
                    char d = s.charAt(pos + 1);
                    if (d != '/') sb.append(c);
                    sb.append(d);
                    pos += 2;
                } else if (c == '/') {
                    pos++;
                    if (pos < n && !Character.isWhitespace(s.charAt(pos)) && s.charAt(pos) != ')') {
                        throw new QuerySyntaxException(pos, found(pos),
                                "whitespace, ')' or end of input after the regular expression",
                                "to search a path, quote it (\"/var/log/app.log\") or escape each '/' as '\\/'");
                    }
                    return sb.toString();
                } else {
                    sb.append(c);
                    pos++;
                }
            }
            throw new QuerySyntaxException(n, "end of input", "'/'",
                    "to close the regular expression opened at position " + open
                            + "; escape a '/' you search for as '\\/'");
        }

        private Query range(String field) {
            int open = pos;
            boolean includeLower = s.charAt(pos) == '[';
            pos++;
            skipWs();
            String lower = bound("a lower bound");
            skipWs();
            if (!(s.startsWith("TO", pos) && pos + 2 < n && Character.isWhitespace(s.charAt(pos + 2)))) {
                throw new QuerySyntaxException(pos, found(pos), "'TO'", "a range is written [from TO to]");
            }
            pos += 2;
            skipWs();
            String upper = bound("an upper bound");
            skipWs();
            if (pos >= n || (s.charAt(pos) != ']' && s.charAt(pos) != '}')) {
                throw new QuerySyntaxException(pos, found(pos), "']' or '}'",
                        "to close the range opened at position " + open);
            }
            boolean includeUpper = s.charAt(pos) == ']';
            pos++;
            checkNoSuffix();
            return new Range(field, lower, upper, includeLower, includeUpper);
        }

        /** A range bound: a phrase, or characters up to whitespace, ']' or '}'; a lone '*' is open (null). */
        private String bound(String what) {
            if (pos >= n) throw new QuerySyntaxException(pos, found(pos), what);
            if (s.charAt(pos) == '"') return phrase();
            int start = pos;
            StringBuilder sb = new StringBuilder();
            boolean escaped = false;
            while (pos < n) {
                char c = s.charAt(pos);
                if (c == '\\') {
                    if (pos + 1 >= n) throw trailingBackslash();
                    sb.append(s.charAt(pos + 1));
                    escaped = true;
                    pos += 2;
                } else if (Character.isWhitespace(c) || c == ']' || c == '}') {
                    break;
                } else {
                    sb.append(c);
                    pos++;
                }
            }
            if (pos == start) throw new QuerySyntaxException(pos, found(pos), what);
            return !escaped && sb.toString().equals("*") ? null : sb.toString();
        }

        private Query comparison(String field) {
            boolean greater = s.charAt(pos) == '>';
            pos++;
            boolean orEqual = matchChar('=');
            String op = (greater ? ">" : "<") + (orEqual ? "=" : "");
            skipWs();
            String expected = "a value after '" + op + "'";
            if (pos >= n) throw new QuerySyntaxException(pos, found(pos), expected);
            String value;
            if (s.charAt(pos) == '"') {
                value = phrase();
            } else {
                if (isTermStop(s.charAt(pos), true)) throw new QuerySyntaxException(pos, found(pos), expected);
                TermToken t = readTerm(true);
                if (t.isLoneStar()) {
                    throw new QuerySyntaxException(t.start(), "'*'", expected,
                            "write " + field + ":* to test that the field exists");
                }
                value = t.text();
            }
            checkNoSuffix();
            if (greater) return orEqual ? Range.atLeast(field, value) : Range.greaterThan(field, value);
            return orEqual ? Range.atMost(field, value) : Range.lessThan(field, value);
        }

        /** Reads a term up to whitespace or a stop character; the caller has checked the first character. */
        private TermToken readTerm(boolean allowColon) {
            int start = pos;
            StringBuilder text = new StringBuilder();
            StringBuilder pattern = new StringBuilder();
            boolean wildcard = false;
            boolean escaped = false;
            while (pos < n) {
                char c = s.charAt(pos);
                if (c == '\\') {
                    if (pos + 1 >= n) throw trailingBackslash();
                    char e = s.charAt(pos + 1);
                    text.append(e);
                    if (e == '*' || e == '?' || e == '\\') pattern.append('\\');
                    pattern.append(e);
                    escaped = true;
                    pos += 2;
                    continue;
                }
                if (isTermStop(c, allowColon)) break;
                if (c == '*' || c == '?') wildcard = true;
                text.append(c);
                pattern.append(c);
                pos++;
            }
            return new TermToken(text.toString(), pattern.toString(), wildcard, escaped, start);
        }

        private QuerySyntaxException trailingBackslash() {
            return new QuerySyntaxException(n, "end of input", "a character after '\\'",
                    "write '\\\\' to search for a backslash");
        }

        private <Q extends Query> Q suffixChecked(Q q) {
            checkNoSuffix();
            return q;
        }

        private void checkNoSuffix() {
            if (pos >= n) return;
            char c = s.charAt(pos);
            if (c == '^') {
                throw new QuerySyntaxException(pos, "'^'", "whitespace, an operator or end of input",
                        "boosting with '^' is not supported; write '\\^' to search for it");
            }
            if (c == '~') {
                throw new QuerySyntaxException(pos, "'~'", "whitespace, an operator or end of input",
                        "fuzzy and proximity search with '~' are not supported; write '\\~' to search for it");
            }
        }

        private void enter(int at) {
            if (++depth > MAX_DEPTH) {
                throw new QuerySyntaxException(at, found(at), "at most " + MAX_DEPTH
                        + " nested parentheses and NOT/+/- operators", "simplify the query");
            }
        }

        private void requireOperand(String after) {
            if (!atOperandStart()) {
                throw new QuerySyntaxException(pos, found(pos), after == null ? OPERAND : OPERAND + " after '" + after + "'");
            }
        }

        private boolean atOperandStart() {
            return pos < n && s.charAt(pos) != ')' && !keywordAt(pos, "AND") && !keywordAt(pos, "OR")
                    && !s.startsWith("&&", pos) && !s.startsWith("||", pos);
        }

        private String matchOperator(String keyword, String symbol) {
            if (matchKeyword(keyword)) return keyword;
            if (s.startsWith(symbol, pos)) {
                pos += symbol.length();
                return symbol;
            }
            return null;
        }

        private boolean matchKeyword(String keyword) {
            if (!keywordAt(pos, keyword)) return false;
            pos += keyword.length();
            return true;
        }

        private boolean keywordAt(int p, String keyword) {
            int end = p + keyword.length();
            return s.startsWith(keyword, p) && (end == n || isTermStop(s.charAt(end), false));
        }

        private boolean matchChar(char c) {
            if (pos < n && s.charAt(pos) == c) {
                pos++;
                return true;
            }
            return false;
        }

        private void skipWs() {
            while (pos < n && Character.isWhitespace(s.charAt(pos))) pos++;
        }

        /** Describes what stands at {@code p} for an error message. */
        private String found(int p) {
            if (p >= n) return "end of input";
            for (String kw : List.of("AND", "OR", "NOT")) {
                if (keywordAt(p, kw)) return "'" + kw + "'";
            }
            if (s.startsWith("&&", p) || s.startsWith("||", p)) return "'" + s.substring(p, p + 2) + "'";
            char c = s.charAt(p);
            if (isTermStop(c, false) || "+-!/\\<>".indexOf(c) >= 0) return "'" + c + "'";
            int end = p;
            while (end < n && end - p < 20 && !isTermStop(s.charAt(end), false)) end++;
            return quote(s.substring(p, end));
        }

        private static String quote(String text) {
            return "'" + text + "'";
        }
    }
}
