package io.bklog.lucene;

import io.bklog.spi.FieldValues;
import io.bklog.spi.FieldType;
import io.bklog.spi.query.Query;
import io.bklog.spi.query.TextAnalysis;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.WildcardQuery;
import org.apache.lucene.util.automaton.CharacterRunAutomaton;
import org.apache.lucene.util.automaton.RegExp;
import org.apache.lucene.util.automaton.TooComplexToDeterminizeException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whole-field highlighting: wraps each matched token of a text field, or a matched keyword/ip value as a whole, in
 * {@code <mark>}/{@code </mark>}. What matches comes from the positive clauses of the query (must and should, not
 * must-not), with the same analysis and pattern semantics as the search itself.
 */
final class Highlighter {
    static final String PRE = "<mark>";
    static final String POST = "</mark>";
    private static final Pattern SEPARATOR = Pattern.compile(TextAnalysis.SEPARATOR);

    /** What to mark in one field ({@code null} key = any text or keyword field). */
    private static final class Matchers {
        final Set<String> tokens = new HashSet<>();
        final Set<String> values = new HashSet<>();
        final List<CharacterRunAutomaton> tokenPatterns = new ArrayList<>();
        final List<CharacterRunAutomaton> valuePatterns = new ArrayList<>();
    }

    private final Map<String, FieldType> types;
    private final Map<String, Matchers> byField = new LinkedHashMap<>();

    Highlighter(Map<String, FieldType> types, Query query) {
        this.types = types;
        collect(query);
    }

    private Matchers matchers(String field) {
        return byField.computeIfAbsent(field, f -> new Matchers());
    }

    private void collect(Query q) {
        if (q instanceof Query.Bool b) {
            b.must().forEach(this::collect);
            b.should().forEach(this::collect);
        } else if (q instanceof Query.Term t) {
            Matchers m = matchers(t.field());
            m.tokens.addAll(TextAnalysis.tokens(t.value()));
            m.values.add(t.value());
            String ip = FieldValues.canonicalIp(t.value());
            if (ip != null) m.values.add(ip);
        } else if (q instanceof Query.Phrase p) {
            Matchers m = matchers(p.field());
            m.tokens.addAll(TextAnalysis.tokens(p.text()));
            m.values.add(p.text());
        } else if (q instanceof Query.Wildcard w) {
            Matchers m = matchers(w.field());
            for (String part : TextAnalysis.wildcardParts(w.pattern())) {
                m.tokenPatterns.add(new CharacterRunAutomaton(WildcardQuery.toAutomaton(new Term("", part))));
            }
            m.valuePatterns.add(new CharacterRunAutomaton(WildcardQuery.toAutomaton(new Term("", w.pattern()))));
        } else if (q instanceof Query.Regex r) {
            Matchers m = matchers(r.field());
            try {
                m.tokenPatterns.add(new CharacterRunAutomaton(
                        new RegExp(r.pattern().toLowerCase(Locale.ROOT)).toAutomaton()));
                m.valuePatterns.add(new CharacterRunAutomaton(new RegExp(r.pattern()).toAutomaton()));
            } catch (TooComplexToDeterminizeException e) {
                throw QueryTranslator.tooComplex(r.field(), r.pattern(), e);
            }
        }
    }

    boolean isEmpty() {
        return byField.isEmpty();
    }

    /** Highlighted values per field of one hit's source; fields without a match are left out. */
    Map<String, List<String>> highlight(Map<String, Object> source) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : source.entrySet()) {
            FieldType type = types.get(e.getKey());
            if (type != FieldType.TEXT && type != FieldType.KEYWORD && type != FieldType.IP) continue;
            List<Matchers> ms = new ArrayList<>(2);
            Matchers named = byField.get(e.getKey());
            if (named != null) ms.add(named);
            Matchers any = byField.get(null);
            if (any != null && type != FieldType.IP) ms.add(any);
            if (ms.isEmpty()) continue;
            List<String> marked = new ArrayList<>();
            Object v = e.getValue();
            if (v instanceof List<?> list) {
                for (Object x : list) {
                    if (x instanceof String s) mark(type, s, ms, marked);
                }
            } else if (v instanceof String s) {
                mark(type, s, ms, marked);
            }
            if (!marked.isEmpty()) out.put(e.getKey(), marked);
        }
        return out;
    }

    private static void mark(FieldType type, String value, List<Matchers> ms, List<String> out) {
        if (type == FieldType.TEXT) {
            StringBuilder sb = new StringBuilder(value.length() + 32);
            boolean any = false;
            int pos = 0;
            Matcher sep = SEPARATOR.matcher(value);
            while (pos <= value.length()) {
                int end = sep.find(pos) ? sep.start() : value.length();
                if (end > pos) {
                    String token = value.substring(pos, end);
                    if (tokenMatches(token.toLowerCase(Locale.ROOT), ms)) {
                        sb.append(PRE).append(token).append(POST);
                        any = true;
                    } else {
                        sb.append(token);
                    }
                }
                if (end == value.length()) break;
                sb.append(value, end, sep.end());
                pos = sep.end();
            }
            if (any) out.add(sb.toString());
        } else if (valueMatches(value, ms)) {
            out.add(PRE + value + POST);
        }
    }

    private static boolean tokenMatches(String token, List<Matchers> ms) {
        for (Matchers m : ms) {
            if (m.tokens.contains(token)) return true;
            for (CharacterRunAutomaton a : m.tokenPatterns) {
                if (a.run(token)) return true;
            }
        }
        return false;
    }

    private static boolean valueMatches(String value, List<Matchers> ms) {
        for (Matchers m : ms) {
            if (m.values.contains(value)) return true;
            for (CharacterRunAutomaton a : m.valuePatterns) {
                if (a.run(value)) return true;
            }
        }
        return false;
    }
}
