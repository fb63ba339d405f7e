package io.bklog.core.etl;

import io.bklog.core.regex.SafePattern;
import io.bklog.core.regex.UserRegex;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A compiled regex (or grok expression) with its named groups mapped to field names. Accepts Python's
 * {@code (?P<name>...)} syntax and group names Java does not allow (underscores...), which bklog users write.
 * Regexes are RE2 syntax and match in linear time ({@link SafePattern}): backreferences and lookaround are refused.
 * Grok expressions (expanded here over the Logstash pattern sets, {@link GrokPatterns}) run on java.util.regex
 * (their vocabulary uses lookbehind and atomic groups) under
 * {@link SafePattern}'s step budget: a line that exhausts it is a parse failure. Immutable and thread-safe.
 *
 * @param pattern  the pattern (DOTALL, so multi-line events match as a whole)
 * @param groups   field name → Java group names carrying it (grok may capture one field in several alternatives)
 * @param hints    field name → type declared in a grok semantic ({@code %{NUMBER:bytes:int}}), when given
 */
public record NamedRegex(SafePattern pattern, Map<String, List<String>> groups, Map<String, String> hints) {

    /**
     * Compiles a regex (RE2 syntax); throws {@link IllegalArgumentException} naming the position of a syntax error
     * or the construct RE2 lacks.
     */
    public static NamedRegex regex(String regex) {
        Map<String, List<String>> groups = new LinkedHashMap<>();
        try {
            UserRegex.check(regex);
            String translated = translate(regex, groups);
            return new NamedRegex(SafePattern.compile(translated, SafePattern.DOTALL), groups, Map.of());
        } catch (UserRegex.InvalidRegexException e) {
            // RE2/J saw the translated pattern: find the position in what the user wrote
            int at = e.fragment() != null && !e.fragment().isEmpty() ? regex.indexOf(e.fragment()) : e.index();
            throw new IllegalArgumentException("invalid regex: " + e.getMessage()
                    + (at >= 0 ? " near index " + at : "") + " of '" + regex + "'");
        }
    }

    /** Compiles a grok expression over the {@code legacy} Logstash patterns plus {@code custom} ones. */
    public static NamedRegex grok(String expression, Map<String, String> custom) {
        return grok(expression, custom, GrokPatterns.LEGACY);
    }

    /**
     * Compiles a grok expression over a Logstash pattern set ({@link GrokPatterns#SETS}) plus {@code custom}
     * patterns (which win over the set's). {@code %{NAME}}, {@code %{NAME:field}} and {@code %{NAME:field:type}}
     * expand recursively; Oniguruma named groups ({@code (?<name>...)}, {@code (?<[a][b]>...)}) capture fields too,
     * and a brace that is no interval ({@code \{ (?<={ )}) is a literal, as in Logstash. Fields named
     * {@code [a][b]} are stored as {@code a.b}.
     */
    public static NamedRegex grok(String expression, Map<String, String> custom, String patternSet) {
        Map<String, String> set = GrokPatterns.of(patternSet == null ? GrokPatterns.LEGACY : patternSet);
        GrokExpander x = new GrokExpander(set, custom == null ? Map.of() : custom);
        String regex;
        try {
            regex = x.expand(expression, new java.util.ArrayDeque<>());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid grok expression '" + expression + "': " + e.getMessage());
        }
        Map<String, List<String>> groups = new LinkedHashMap<>();
        Map<String, String> hints = new HashMap<>();
        for (Map.Entry<String, String> e : x.fields.entrySet()) {
            String[] parts = e.getValue().split(":");
            if (parts[0].equals("UNWANTED")) continue;
            String field = fieldName(parts[0]);
            if (parts.length > 1) hints.put(field, parts[1].toLowerCase(Locale.ROOT));
            groups.computeIfAbsent(field, k -> new ArrayList<>()).add(e.getKey());
        }
        try {
            return new NamedRegex(SafePattern.javaOnly(Pattern.compile(regex, Pattern.DOTALL)), groups, hints);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("grok expression '" + expression + "' gives an invalid regex: "
                    + e.getDescription() + " near index " + e.getIndex());
        }
    }

    /** Expands grok references into one Java regex, naming each capture {@code gN} ({@link #fields}: gN → field). */
    private static final class GrokExpander {
        private static final Pattern REF = Pattern.compile("%\\{(\\w+)(?::([^:}]+))?(?::(\\w+))?}");
        private static final Pattern INTERVAL = Pattern.compile("\\{\\d*,?\\d*}");
        private static final int MAX_LENGTH = 1 << 20;
        /** References nested deeper than this are refused (Logstash's own sets nest at most about 10). */
        static final int MAX_DEPTH = 100;
        final Map<String, String> fields = new LinkedHashMap<>();
        private final Map<String, String> set;
        private final Map<String, String> custom;

        GrokExpander(Map<String, String> set, Map<String, String> custom) {
            this.set = set;
            this.custom = custom;
        }

        String expand(String pattern, java.util.Deque<String> stack) {
            StringBuilder out = new StringBuilder(pattern.length() * 2);
            java.util.regex.Matcher m = REF.matcher(pattern);
            int last = 0;
            while (m.find()) {
                literal(pattern.substring(last, m.start()), out);
                last = m.end();
                String name = m.group(1);
                String def = custom.containsKey(name) ? custom.get(name) : set.get(name);
                if (def == null) throw new IllegalArgumentException("no grok pattern named '" + name + "'");
                if (stack.contains(name)) {
                    throw new IllegalArgumentException("grok pattern '" + name + "' refers to itself via " + stack);
                }
                if (stack.size() >= MAX_DEPTH) {
                    throw new IllegalArgumentException("grok pattern '" + name + "' is nested more than " + MAX_DEPTH
                            + " references deep");
                }
                stack.push(name);
                String inner = expand(def, stack);
                stack.pop();
                if (m.group(2) != null) {
                    String g = "g" + fields.size();
                    fields.put(g, m.group(3) == null ? m.group(2) : m.group(2) + ":" + m.group(3));
                    out.append("(?<").append(g).append('>').append(inner).append(')');
                } else {
                    out.append("(?:").append(inner).append(')');
                }
                if (out.length() > MAX_LENGTH) throw new IllegalArgumentException("expands past 1 MiB of regex");
            }
            literal(pattern.substring(last), out);
            return out.toString();
        }

        /** Copies regex text, renaming Oniguruma named groups and escaping braces that are no interval. */
        private void literal(String s, StringBuilder out) {
            int n = s.length();
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (c == '\\' && i + 1 < n) {
                    char e = s.charAt(i + 1);
                    out.append(c).append(e);
                    i++;
                    if ((e == 'p' || e == 'P' || e == 'x') && i + 1 < n && s.charAt(i + 1) == '{') {
                        int close = s.indexOf('}', i + 1);
                        if (close > 0) {
                            out.append(s, i + 1, close + 1);
                            i = close;
                        }
                    }
                    continue;
                }
                if (c == '(' && s.startsWith("(?<", i) && i + 3 < n && s.charAt(i + 3) != '=' && s.charAt(i + 3) != '!') {
                    int close = s.indexOf('>', i + 3);
                    if (close > 0) {
                        String g = "g" + fields.size();
                        fields.put(g, s.substring(i + 3, close));
                        out.append("(?<").append(g).append('>');
                        i = close;
                        continue;
                    }
                }
                if (c == '{') {
                    java.util.regex.Matcher q = INTERVAL.matcher(s).region(i, n);
                    if (q.lookingAt() && q.end() - i > 2) {
                        String interval = q.group();
                        out.append(interval.startsWith("{,") ? "{0" + interval.substring(1) : interval);
                        i = q.end() - 1;
                    } else {
                        out.append("\\{");
                    }
                    continue;
                }
                int len = out.length();
                if (c == '*' && len >= 2 && out.charAt(len - 1) == '?' && out.charAt(len - 2) != '('
                        && out.charAt(len - 2) != '\\') {
                    out.setCharAt(len - 1, '*'); // Oniguruma's x?* is (?:x?)*, that is x*; Java refuses it
                    continue;
                }
                out.append(c);
            }
        }
    }

    /** logstash's {@code [a][b]} nesting becomes {@code a.b}. */
    private static String fieldName(String s) {
        if (s.startsWith("[")) return s.replace("][", ".").replace("[", "").replace("]", "");
        return s;
    }

    private static boolean validJavaName(String n) {
        if (n.isEmpty() || !Character.isLetter(n.charAt(0)) || n.charAt(0) > 127) return false;
        for (int i = 1; i < n.length(); i++) {
            char c = n.charAt(i);
            if (!(c < 128 && Character.isLetterOrDigit(c))) return false;
        }
        return true;
    }

    /** Rewrites named groups to Java syntax, filling {@code groups} (field name → Java group names). */
    static String translate(String regex, Map<String, List<String>> groups) {
        StringBuilder out = new StringBuilder(regex.length() + 16);
        Map<String, String> javaNameOf = new HashMap<>();
        int n = regex.length();
        boolean inClass = false;
        int generated = 0;
        for (int i = 0; i < n; i++) {
            char c = regex.charAt(i);
            if (c == '\\' && i + 1 < n) {
                out.append(c).append(regex.charAt(++i));
                continue;
            }
            if (inClass) {
                if (c == ']') inClass = false;
                out.append(c);
                continue;
            }
            if (c == '[') {
                inClass = true;
                out.append(c);
                if (i + 1 < n && regex.charAt(i + 1) == '^') out.append(regex.charAt(++i));
                if (i + 1 < n && regex.charAt(i + 1) == ']') out.append(regex.charAt(++i));
                continue;
            }
            if (c == '(' && regex.startsWith("(?P=", i)) {
                int end = regex.indexOf(')', i);
                if (end < 0) throw new IllegalArgumentException("unclosed (?P=name) at index " + i + " of '" + regex + "'");
                String name = regex.substring(i + 4, end);
                String javaName = javaNameOf.get(name);
                if (javaName == null) {
                    throw new IllegalArgumentException("backreference to unknown group '" + name + "' at index " + i);
                }
                out.append("\\k<").append(javaName).append('>');
                i = end;
                continue;
            }
            int nameStart = -1;
            if (c == '(' && regex.startsWith("(?P<", i)) nameStart = i + 4;
            else if (c == '(' && regex.startsWith("(?<", i) && i + 3 < n && regex.charAt(i + 3) != '='
                    && regex.charAt(i + 3) != '!') nameStart = i + 3;
            if (nameStart >= 0) {
                int end = regex.indexOf('>', nameStart);
                if (end < 0) throw new IllegalArgumentException("unclosed group name at index " + i + " of '" + regex + "'");
                String name = regex.substring(nameStart, end);
                if (name.isEmpty()) throw new IllegalArgumentException("empty group name at index " + i + " of '" + regex + "'");
                String javaName = validJavaName(name) && !javaNameOf.containsValue(name) ? name : "bkg" + (generated++);
                while (javaNameOf.containsValue(javaName) || (!javaName.equals(name) && groups.containsKey(javaName))) {
                    javaName = "bkg" + (generated++);
                }
                if (javaNameOf.containsKey(name)) {
                    throw new IllegalArgumentException("group name '" + name + "' used twice in '" + regex + "'");
                }
                javaNameOf.put(name, javaName);
                groups.computeIfAbsent(name, k -> new ArrayList<>()).add(javaName);
                out.append("(?<").append(javaName).append('>');
                i = end;
                continue;
            }
            out.append(c);
        }
        return out.toString();
    }
}
