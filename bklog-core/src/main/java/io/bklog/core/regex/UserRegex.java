package io.bklog.core.regex;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Compiles the regexes users supply (masking rules, line filters, ETL {@code separator_regexp} and
 * {@code path_regexp}, multi-line patterns, {@code exclude_files}) with RE2/J, whose matching time is linear in the
 * input: no pattern can hold a thread (ReDoS) or overflow the stack, whatever the input.
 *
 * <p>RE2 syntax is Perl's minus what needs backtracking: lookahead {@code (?=} {@code (?!}, lookbehind
 * {@code (?<=} {@code (?<!}, backreferences ({@code \1}, {@code \k<name>}, {@code (?P=name)}), atomic groups
 * {@code (?>} and possessive quantifiers ({@code a*+}). These are refused with a message naming the construct;
 * repetition counts are limited to 1000. Named groups are written {@code (?<name>...)} or {@code (?P<name>...)}.
 */
public final class UserRegex {
    /** Why refused constructs are refused, appended to every such message. */
    public static final String WHY = "bklog runs regexes in linear time (RE2 syntax)";
    /** Longest pattern accepted. */
    public static final int MAX_LENGTH = 10_000;

    private UserRegex() {}

    /** Compiles {@code regex}; flags are RE2/J's ({@link Pattern#DOTALL}...). */
    public static Pattern compile(String regex, int flags) {
        check(regex);
        try {
            return Pattern.compile(regex, flags);
        } catch (PatternSyntaxException e) {
            int at = e.getIndex();
            if (at < 0 && e.getPattern() != null && !e.getPattern().isEmpty()) at = regex.indexOf(e.getPattern());
            throw new InvalidRegexException(describe(e), at, e.getPattern());
        }
    }

    public static Pattern compile(String regex) {
        return compile(regex, 0);
    }

    /** The named groups of a pattern, in the order they appear. */
    public static List<String> groupNames(Pattern p) {
        List<Map.Entry<String, Integer>> es = new ArrayList<>(p.namedGroups().entrySet());
        es.sort(Map.Entry.comparingByValue());
        List<String> out = new ArrayList<>(es.size());
        for (Map.Entry<String, Integer> e : es) out.add(e.getKey());
        return out;
    }

    /** Refuses what RE2 lacks with a clear message; throws {@link InvalidRegexException}. */
    public static void check(String regex) {
        if (regex.length() > MAX_LENGTH) {
            throw new InvalidRegexException("is " + regex.length() + " chars long; at most " + MAX_LENGTH
                    + " are allowed", -1);
        }
        boolean inClass = false;
        int n = regex.length();
        for (int i = 0; i < n; i++) {
            char c = regex.charAt(i);
            if (c == '\\' && i + 1 < n) {
                char e = regex.charAt(i + 1);
                if (e == 'Q') {
                    int end = regex.indexOf("\\E", i + 2);
                    if (end < 0) break;
                    i = end + 1;
                    continue;
                }
                if (!inClass && e >= '1' && e <= '9') {
                    throw unsupported("backreference \\" + e, i);
                }
                if (!inClass && e == 'k' && i + 2 < n && (regex.charAt(i + 2) == '<' || regex.charAt(i + 2) == '{'
                        || regex.charAt(i + 2) == '\'')) {
                    throw unsupported("backreference \\k<name>", i);
                }
                i++;
                continue;
            }
            if (inClass) {
                if (c == '[' && i + 1 < n && regex.charAt(i + 1) == ':') {
                    int end = regex.indexOf(":]", i + 2);
                    if (end > 0) i = end + 1;
                } else if (c == ']') {
                    inClass = false;
                }
                continue;
            }
            if (c == '[') {
                inClass = true;
                if (i + 1 < n && regex.charAt(i + 1) == '^') i++;
                if (i + 1 < n && regex.charAt(i + 1) == ']') i++;
                continue;
            }
            if (c == '(' && i + 2 < n && regex.charAt(i + 1) == '?') {
                String rest = regex.substring(i + 2, Math.min(n, i + 5));
                if (rest.startsWith("=")) throw unsupported("lookahead (?=...)", i);
                if (rest.startsWith("!")) throw unsupported("negative lookahead (?!...)", i);
                if (rest.startsWith("<=")) throw unsupported("lookbehind (?<=...)", i);
                if (rest.startsWith("<!")) throw unsupported("negative lookbehind (?<!...)", i);
                if (rest.startsWith(">")) throw unsupported("atomic group (?>...)", i);
                if (rest.startsWith("P=")) throw unsupported("backreference (?P=name)", i);
                continue;
            }
            if (c == '{' && !isRepetition(regex, i)) {
                throw new InvalidRegexException("'{' does not start a repetition {n}, {n,} or {n,m}; write \\{ for"
                        + " a literal brace", i);
            }
            if (c == '+' && i > 0 && isQuantifierEnd(regex, i - 1)) {
                throw unsupported("possessive quantifier " + regex.charAt(i - 1) + "+", i - 1);
            }
        }
    }

    /** Whether {@code {} at {@code i} starts {@code {n}}, {@code {n,}} or {@code {n,m}}. */
    private static boolean isRepetition(String regex, int i) {
        int j = i + 1;
        int digits = 0;
        while (j < regex.length() && Character.isDigit(regex.charAt(j))) {
            j++;
            digits++;
        }
        if (digits == 0 || j >= regex.length()) return false;
        if (regex.charAt(j) == '}') return true;
        if (regex.charAt(j) != ',') return false;
        j++;
        while (j < regex.length() && Character.isDigit(regex.charAt(j))) j++;
        return j < regex.length() && regex.charAt(j) == '}';
    }

    /** Whether the char at {@code i} ends a quantifier ({@code * + ? }}) that is not itself escaped. */
    private static boolean isQuantifierEnd(String regex, int i) {
        char q = regex.charAt(i);
        if (q != '*' && q != '+' && q != '?' && q != '}') return false;
        int backslashes = 0;
        for (int j = i - 1; j >= 0 && regex.charAt(j) == '\\'; j--) backslashes++;
        if (backslashes % 2 == 1) return false;
        // "a++" is possessive, but "a+" then "+" after a lazy "?" ("a+?+") too; "(?+" cannot occur here
        if (q == '?' && i > 0 && regex.charAt(i - 1) == '(') return false;
        return i > 0;
    }

    private static InvalidRegexException unsupported(String construct, int index) {
        return new InvalidRegexException(construct + " is not supported: " + WHY, index);
    }

    private static String describe(PatternSyntaxException e) {
        String d = e.getDescription();
        if (d.startsWith("invalid repeat count")) {
            return "invalid repeat count " + e.getPattern() + ": a count must be at most 1000 (" + WHY + ")";
        }
        if (d.startsWith("invalid or unsupported Perl syntax") || d.startsWith("invalid escape sequence")
                || d.startsWith("invalid character class range")) {
            return d + " '" + e.getPattern() + "' (" + WHY + ")";
        }
        return d + (e.getPattern() == null || e.getPattern().isEmpty() ? "" : " '" + e.getPattern() + "'");
    }

    /** A user regex that does not compile or uses a refused construct; the message says which. */
    public static final class InvalidRegexException extends IllegalArgumentException {
        private final int index;
        private final String fragment;

        public InvalidRegexException(String message, int index) {
            this(message, index, null);
        }

        public InvalidRegexException(String message, int index, String fragment) {
            super(message);
            this.index = index;
            this.fragment = fragment;
        }

        /** The part of the pattern the error is about, when known. */
        public String fragment() {
            return fragment;
        }

        /** Where in the pattern, or -1. */
        public int index() {
            return index;
        }
    }
}
