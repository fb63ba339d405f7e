package io.bklog.core.query;

import io.bklog.spi.query.Query;
import io.bklog.spi.query.Query.Bool;
import io.bklog.spi.query.Query.Exists;
import io.bklog.spi.query.Query.MatchAll;
import io.bklog.spi.query.Query.Phrase;
import io.bklog.spi.query.Query.Range;
import io.bklog.spi.query.Query.Regex;
import io.bklog.spi.query.Query.Term;
import io.bklog.spi.query.Query.Wildcard;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Prints a {@link Query} as a query string that {@link QueryStringParser#parse(String)} reads back to an equal
 * AST, for every AST in the canonical shape the parser produces: no empty {@link Bool}, no {@link Bool} with a
 * single {@code must} or a single {@code should}, {@code should} never mixed with {@code must}/{@code mustNot}.
 * Other ASTs print to a query with the same meaning (e.g. {@code Bool(must=[a], should=[b, c])} prints as
 * {@code a AND (b OR c)}).
 *
 * <p>Canonical form: operators upper-case, {@code AND} between every clause of a conjunction, {@code NOT x}
 * for negation, every nested {@link Bool} in parentheses, each value carrying its own field (no
 * {@code f:(a OR b)} groups), {@code f:>=v} style for half-open ranges, special characters escaped with
 * {@code \}.
 */
public final class QueryPrinter {
    /** Escaped anywhere in a term. */
    private static final String ALWAYS_ESCAPED = "\\():^[]\"{}~*?";
    /** Escaped only as the first character of a term, where they would start an operator or another form. */
    private static final String LEADING_ESCAPED = "+-!/<>&|=";

    private QueryPrinter() {}

    public static String print(Query query) {
        return print(query, false);
    }

    private static String print(Query q, boolean operand) {
        if (q instanceof MatchAll) return "*";
        if (q instanceof Term t) return field(t.field()) + value(t.value(), t.field() != null);
        if (q instanceof Phrase p) return field(p.field()) + phrase(p.text());
        if (q instanceof Wildcard w) return field(w.field()) + wildcard(w.pattern(), w.field() != null);
        if (q instanceof Regex r) return field(r.field()) + regex(r.pattern());
        if (q instanceof Range r) return range(r);
        if (q instanceof Exists e) return "_exists_:" + value(e.field(), false);
        return bool((Bool) q, operand);
    }

    private static String bool(Bool b, boolean operand) {
        List<Query> must = b.must();
        List<Query> should = b.should();
        List<Query> mustNot = b.mustNot();
        if (must.isEmpty() && mustNot.isEmpty()) {
            if (should.isEmpty()) return "*";
            if (should.size() == 1) return print(should.get(0), operand);
            return wrap(orOf(should), operand);
        }
        if (mustNot.isEmpty() && must.size() == 1 && should.isEmpty()) return print(must.get(0), operand);
        if (mustNot.isEmpty() && must.isEmpty() && should.size() == 1) return print(should.get(0), operand);
        List<String> parts = new ArrayList<>();
        for (Query m : must) parts.add(print(m, true));
        if (should.size() == 1) parts.add(print(should.get(0), true));
        if (should.size() > 1) parts.add("(" + orOf(should) + ")");
        for (Query m : mustNot) parts.add("NOT " + print(m, true));
        return wrap(String.join(" AND ", parts), operand);
    }

    private static String orOf(List<Query> qs) {
        return qs.stream().map(q -> print(q, true)).collect(Collectors.joining(" OR "));
    }

    private static String wrap(String s, boolean operand) {
        return operand ? "(" + s + ")" : s;
    }

    private static String field(String field) {
        if (field == null) return "";
        return (field.equals("_exists_") ? "\\_exists_" : value(field, false)) + ":";
    }

    /**
     * A term value, escaped so that it reads back as exactly this text; {@code afterField}: it follows
     * {@code field:}, where a {@code :} needs no escape.
     */
    static String value(String v, boolean afterField) {
        if (v.isEmpty()) return "\"\"";
        if (v.equals("AND") || v.equals("OR") || v.equals("NOT")) return "\\" + v;
        StringBuilder sb = new StringBuilder(v.length() + 8);
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (needsEscape(c, i == 0, afterField)) sb.append('\\');
            sb.append(c);
        }
        return sb.toString();
    }

    private static boolean needsEscape(char c, boolean first, boolean afterField) {
        if (c == ':') return !afterField;
        return ALWAYS_ESCAPED.indexOf(c) >= 0 || Character.isWhitespace(c) || (first && LEADING_ESCAPED.indexOf(c) >= 0);
    }

    private static String phrase(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') sb.append('\\');
            sb.append(c);
        }
        return sb.append('"').toString();
    }

    private static String wildcard(String pattern, boolean afterField) {
        if (pattern.isEmpty()) return "\"\"";
        StringBuilder sb = new StringBuilder(pattern.length() + 8);
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\' && i + 1 < pattern.length() && "*?\\".indexOf(pattern.charAt(i + 1)) >= 0) {
                sb.append(c).append(pattern.charAt(++i));
            } else if (c == '*' || c == '?') {
                sb.append(c);
            } else {
                if (needsEscape(c, i == 0, afterField)) sb.append('\\');
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static String regex(String pattern) {
        StringBuilder sb = new StringBuilder(pattern.length() + 2).append('/');
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\') {
                sb.append(c).append(i + 1 < pattern.length() ? pattern.charAt(++i) : '\\');
            } else if (c == '/') {
                sb.append("\\/");
            } else {
                sb.append(c);
            }
        }
        return sb.append('/').toString();
    }

    private static String range(Range r) {
        String f = field(r.field());
        if (r.lower() != null && r.upper() == null && !r.includeUpper()) {
            return f + (r.includeLower() ? ">=" : ">") + value(r.lower(), true);
        }
        if (r.lower() == null && r.upper() != null && !r.includeLower()) {
            return f + (r.includeUpper() ? "<=" : "<") + value(r.upper(), true);
        }
        return f + (r.includeLower() ? "[" : "{") + bound(r.lower()) + " TO " + bound(r.upper())
                + (r.includeUpper() ? "]" : "}");
    }

    private static String bound(String v) {
        if (v == null) return "*";
        if (v.isEmpty()) return "\"\"";
        StringBuilder sb = new StringBuilder(v.length() + 4);
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if ("\\]}\"*".indexOf(c) >= 0 || Character.isWhitespace(c)) sb.append('\\');
            sb.append(c);
        }
        return sb.toString();
    }
}
