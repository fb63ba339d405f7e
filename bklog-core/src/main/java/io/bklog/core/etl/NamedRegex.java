package io.bklog.core.etl;

import io.bklog.core.regex.SafePattern;
import io.bklog.core.regex.UserRegex;
import io.krakens.grok.api.Grok;
import io.krakens.grok.api.GrokCompiler;

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
 * Grok expressions run on java.util.regex (its pattern vocabulary uses lookbehind and atomic groups) under
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

    /** Compiles a grok expression over the default patterns plus {@code custom} ones. */
    public static NamedRegex grok(String expression, Map<String, String> custom) {
        GrokCompiler compiler = GrokCompiler.newInstance();
        compiler.registerDefaultPatterns();
        try {
            compiler.registerPatternFromClasspath("/patterns/linux-syslog");
            compiler.registerPatternFromClasspath("/patterns/java");
        } catch (Exception e) {
            throw new IllegalStateException("java-grok pattern files missing from the classpath", e);
        }
        if (custom != null && !custom.isEmpty()) compiler.register(custom);
        Grok grok;
        try {
            grok = compiler.compile(expression, true);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("invalid grok expression '" + expression + "': " + e.getMessage());
        }
        Map<String, List<String>> groups = new LinkedHashMap<>();
        Map<String, String> hints = new HashMap<>();
        Map<String, String> collection = grok.getNamedRegexCollection();
        List<String> ordered = new ArrayList<>(grok.namedGroups);
        ordered.sort((a, b) -> Integer.compare(num(a), num(b)));
        for (String g : ordered) {
            String semantic = collection.get(g);
            if (semantic == null || semantic.equals("UNWANTED")) continue;
            String[] parts = semantic.split(":");
            String field = fieldName(parts[0]);
            if (parts.length > 1) hints.put(field, parts[1].toLowerCase(Locale.ROOT));
            groups.computeIfAbsent(field, k -> new ArrayList<>()).add(g);
        }
        try {
            return new NamedRegex(SafePattern.javaOnly(Pattern.compile(grok.getNamedRegex(), Pattern.DOTALL)), groups,
                    hints);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("grok expression '" + expression + "' gives an invalid regex: "
                    + e.getDescription());
        }
    }

    private static int num(String g) {
        try {
            return Integer.parseInt(g.substring(4));
        } catch (RuntimeException e) {
            return Integer.MAX_VALUE;
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
