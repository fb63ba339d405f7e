package io.bklog.core.regex;

import com.google.re2j.Pattern;

import java.util.List;
import java.util.Objects;

/**
 * A user regex that matches in time linear in the text, and as fast as {@code java.util.regex} on ordinary input.
 *
 * <p>The pattern is checked and compiled by RE2/J ({@link UserRegex}), so it has no lookaround, backreference,
 * atomic group or possessive quantifier: it is a true regular expression. Matching first runs the same pattern on
 * {@code java.util.regex} (about 20 times faster than RE2/J on a typical ETL line) under a step budget of
 * {@value #STEPS_PER_CHAR} character reads per character of the text plus {@value #BASE_STEPS}; a pattern that
 * backtracks past the budget (or overflows the stack) is finished by RE2/J, whose time is linear. So no text can
 * hold a thread: {@code (.*a){25}b} or {@code (a|a)*b} on 5,000 characters answer in milliseconds.
 *
 * <p>The answer is always RE2's (the documented semantics), whichever engine gives it: both take the leftmost-first
 * match with Perl's greedy/lazy rules, the Java side runs with {@code UNIX_LINES} and {@code UNICODE_CASE}, and
 * the constructs Java reads differently are rewritten to exact equivalents ({@code $} without {@code m} is
 * {@code \z}, {@code \s} is {@code [\t\n\f\r ]}, {@code \v} is {@code \x0B}, {@code (?P<name>} is
 * {@code (?<name>}) or, when there is none at hand ({@code \b}, {@code \p}, the {@code m} and {@code U} flags,
 * {@code &&} or a nested {@code [} in a class; see {@link #toJava}), run on RE2/J only. Otherwise input length
 * (which decides when RE2/J takes over) could decide whether a masking rule fires. Immutable and thread-safe.
 */
public final class SafePattern {
    public static final int DOTALL = Pattern.DOTALL;
    public static final int CASE_INSENSITIVE = Pattern.CASE_INSENSITIVE;
    static final int STEPS_PER_CHAR = 64;
    static final int BASE_STEPS = 10_000;
    static final long JAVA_ONLY_MIN_STEPS = 10_000_000;

    private final String regex;
    private final Pattern re2;
    private final java.util.regex.Pattern jdk;
    private final List<String> groupNames;
    private final long minBudget;

    private SafePattern(String regex, Pattern re2, java.util.regex.Pattern jdk, long minBudget) {
        this.regex = regex;
        this.re2 = re2;
        this.jdk = jdk;
        this.minBudget = minBudget;
        this.groupNames = re2 == null ? List.of() : List.copyOf(UserRegex.groupNames(re2));
    }

    /**
     * A pattern that needs java.util.regex (grok's vocabulary uses lookbehind and atomic groups): it runs under the
     * step budget, and a text that exhausts it counts as no match ({@link SafeMatcher#exhausted()}). With no
     * engine to finish the match, the budget is at least {@value #JAVA_ONLY_MIN_STEPS} character reads (tens of
     * milliseconds), so a merely quadratic pattern ({@code %{GREEDYDATA} %{GREEDYDATA}}) still parses long lines.
     */
    public static SafePattern javaOnly(java.util.regex.Pattern pattern) {
        return new SafePattern(pattern.pattern(), null, pattern, JAVA_ONLY_MIN_STEPS);
    }

    /**
     * Compiles a user regex (RE2 syntax); flags are {@link #DOTALL} and {@link #CASE_INSENSITIVE}.
     *
     * @throws UserRegex.InvalidRegexException naming the problem (syntax, or a construct RE2 lacks)
     */
    public static SafePattern compile(String regex, int flags) {
        Pattern re2 = UserRegex.compile(regex, flags);
        return new SafePattern(regex, re2, javaForm(regex, flags), 0);
    }

    public static SafePattern compile(String regex) {
        return compile(regex, 0);
    }

    /** The same pattern on java.util.regex, or null when Java would read it differently (or not at all). */
    private static java.util.regex.Pattern javaForm(String regex, int flags) {
        String translated = toJava(regex, (flags & CASE_INSENSITIVE) != 0);
        if (translated == null) return null;
        // UNICODE_CASE: RE2's (?i) folds all of Unicode (MÜLLER ~ müller), Java's alone only ASCII.
        int jf = java.util.regex.Pattern.UNIX_LINES | java.util.regex.Pattern.UNICODE_CASE;
        if ((flags & DOTALL) != 0) jf |= java.util.regex.Pattern.DOTALL;
        if ((flags & CASE_INSENSITIVE) != 0) jf |= java.util.regex.Pattern.CASE_INSENSITIVE;
        try {
            return java.util.regex.Pattern.compile(translated, jf);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** RE2's {@code \s}; Java's also holds {@code \u000B}. */
    private static final String SPACE = "\\t\\n\\f\\r ";

    /**
     * The RE2 pattern as a java.util.regex pattern with exactly RE2's meaning, or null when some construct has no
     * exact translation here (the pattern then runs on RE2/J only). Rewritten: {@code $} (RE2's is {@code \z}
     * without {@code m}; Java's also matches before a final {@code \n}), {@code \s}/{@code \S} (Java's hold
     * {@code \u000B}), {@code \v} (RE2's is {@code \u000B} alone), {@code (?P<name>}. RE2/J only: {@code \b}/{@code \B}
     * (Java's are Unicode-aware), {@code \p}, octal escapes, the {@code m} and {@code U} flags, flag groups past the
     * start, nested {@code [} (POSIX classes; Java's class union) or {@code &&} (Java's intersection) in a class, a
     * class opening with {@code ]}, {@code \S} or {@code \Q} in a class; a capture inside a loop ({@code *},
     * {@code +}, {@code {n,m}}: Java records an empty last iteration, RE2 does not), or a loop over a body that may
     * match empty or over an anchor ({@link #mayMatchEmpty}); and under case-insensitivity ({@code ci} or
     * an {@code i} flag), non-ASCII text, {@code \w}, {@code \W} and {@code \x}: RE2 folds by Unicode's orbits
     * ({@code \w} holds {@code \u017F} and {@code \u212A}, {@code ß} matches {@code ẞ}), Java by its own rules.
     * Nothing inside {@code \Q...\E} is rewritten.
     */
    static String toJava(String regex, boolean ci) {
        StringBuilder out = new StringBuilder(regex.length() + 16);
        boolean inClass = false;
        boolean foldSensitive = false;
        // per open group (innermost first): {index of its '(', 1 when it is or holds a capture}
        java.util.ArrayDeque<int[]> groups = new java.util.ArrayDeque<>();
        int n = regex.length();
        for (int i = 0; i < n; i++) {
            char c = regex.charAt(i);
            if (c == '\\') {
                if (i + 1 >= n) return null;
                char e = regex.charAt(++i);
                if (e == 'Q') {
                    if (inClass) return null;
                    int q = regex.indexOf("\\E", i + 1);
                    int stop = q < 0 ? n : q;
                    foldSensitive |= !isAscii(regex, i + 1, stop);
                    out.append(java.util.regex.Pattern.quote(regex.substring(i + 1, stop)));
                    i = q < 0 ? n : q + 1;
                    continue;
                }
                switch (e) {
                    case 's' -> out.append(inClass ? SPACE : "[" + SPACE + "]");
                    case 'S' -> {
                        if (inClass) return null;
                        out.append("[^" + SPACE + "]");
                    }
                    case 'v' -> out.append("\\x0B");
                    case 'w', 'W', 'x' -> {
                        foldSensitive = true;
                        out.append('\\').append(e);
                    }
                    case 'b', 'B', 'p', 'P', 'Z', 'h', 'H', 'R', 'X', 'G', 'e', 'c', 'u', 'N', 'k' -> {
                        return null;
                    }
                    default -> {
                        if (e >= '0' && e <= '9') return null;
                        foldSensitive |= e > 0x7f;
                        out.append('\\').append(e);
                    }
                }
            } else if (inClass) {
                if (c == '[' || (c == '&' && i + 1 < n && regex.charAt(i + 1) == '&')) return null;
                if (c == ']') inClass = false;
                out.append(c);
            } else if (c == '[') {
                out.append(c);
                if (i + 1 < n && regex.charAt(i + 1) == '^') out.append(regex.charAt(++i));
                if (i + 1 < n && regex.charAt(i + 1) == ']') return null;
                inClass = true;
            } else if ((c == '$' || c == '^') && i + 1 < n && "*+?{".indexOf(regex.charAt(i + 1)) >= 0) {
                return null;
            } else if (c == '$') {
                out.append("\\z");
            } else if (c == '(' && !regex.startsWith("(?", i)) {
                groups.push(new int[] {i, 1});
                out.append(c);
            } else if (c == ')') {
                int[] g = groups.isEmpty() ? new int[] {i, 0} : groups.pop();
                boolean loop = i + 1 < n && "*+{".indexOf(regex.charAt(i + 1)) >= 0;
                if (loop && (g[1] == 1 || mayMatchEmpty(regex.substring(g[0] + 1, i)))) return null;
                if (g[1] == 1 && !groups.isEmpty()) groups.peek()[1] = 1;
                out.append(c);
            } else if (c == '(') {
                boolean named = regex.startsWith("(?P<", i) || regex.startsWith("(?<", i);
                if (named || regex.startsWith("(?:", i)) groups.push(new int[] {i, named ? 1 : 0});
                if (regex.startsWith("(?P<", i)) {
                    out.append("(?<");
                    i += 3;
                } else if (regex.startsWith("(?<", i) || regex.startsWith("(?:", i)) {
                    out.append(c);
                } else {
                    int j = i + 2;
                    while (j < n && (Character.isLetter(regex.charAt(j)) || regex.charAt(j) == '-')) {
                        char f = regex.charAt(j);
                        if (f != 'i' && f != 's' && f != '-') return null;
                        ci |= f == 'i';
                        j++;
                    }
                    if (j >= n) return null;
                    // (?flags) past the start: Java and RE2 may scope it differently; (?flags:...) is scoped in both.
                    if (regex.charAt(j) == ')' && i != 0) return null;
                    if (regex.charAt(j) != ')' && regex.charAt(j) != ':') return null;
                    groups.push(new int[] {i, 0});
                    out.append(c);
                }
            } else {
                out.append(c);
            }
            foldSensitive |= c > 0x7f;
        }
        return inClass || (ci && foldSensitive) ? null : out.toString();
    }

    /**
     * Whether a group body might match the empty string (over-approximated: any {@code * ? {} quantifier, anchor or
     * empty alternative): a loop over such a body is where java.util.regex stops after an empty iteration and RE2
     * goes on to the next choice, so {@code (?: |a*?)*} on " a" matches " " in Java and " a" in RE2.
     */
    private static boolean mayMatchEmpty(String body) {
        if (body.isEmpty() || body.startsWith("|") || body.endsWith("|") || body.contains("||")
                || body.contains("(|") || body.contains("|)") || body.contains("()")) return true;
        for (int k = 0; k < body.length(); k++) {
            char c = body.charAt(k);
            if (c == '*' || c == '{' || c == '^' || c == '$' || (c == '?' && k > 0 && body.charAt(k - 1) != '(')) {
                return true;
            }
            if (c == '\\' && k + 1 < body.length() && "AzbB".indexOf(body.charAt(k + 1)) >= 0) return true;
        }
        return false;
    }

    private static boolean isAscii(String s, int from, int to) {
        for (int i = from; i < to; i++) if (s.charAt(i) > 0x7f) return false;
        return true;
    }

    public String pattern() {
        return regex;
    }

    /** The named groups, in the order they appear. */
    public List<String> groupNames() {
        return groupNames;
    }

    /** Whether the pattern occurs in {@code text}. */
    public boolean find(String text) {
        return matcher(text).find();
    }

    public SafeMatcher matcher(String text) {
        return new SafeMatcher(this, text);
    }

    boolean hasJavaForm() {
        return jdk != null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SafePattern p && p.regex.equals(regex) && flags(p) == flags(this);
    }

    @Override
    public int hashCode() {
        return Objects.hash(regex, flags(this));
    }

    private static int flags(SafePattern p) {
        return p.re2 != null ? p.re2.flags() : p.jdk.flags();
    }

    @Override
    public String toString() {
        return regex;
    }

    /** Thrown inside java.util.regex when it used up its budget. */
    private static final class BudgetExceeded extends RuntimeException {
        BudgetExceeded() {
            super(null, null, false, false);
        }
    }

    /** The text as java.util.regex reads it, counting the reads. */
    private static final class Budgeted implements CharSequence {
        private final String s;
        private long left;

        Budgeted(String s, long minBudget) {
            this.s = s;
            this.left = Math.max(minBudget, (long) STEPS_PER_CHAR * s.length() + BASE_STEPS);
        }

        @Override
        public char charAt(int index) {
            if (--left < 0) throw new BudgetExceeded();
            return s.charAt(index);
        }

        @Override
        public int length() {
            return s.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return s.substring(start, end);
        }

        @Override
        public String toString() {
            return s;
        }
    }

    /** Successive matches in one text, like {@link java.util.regex.Matcher#find()}. Not thread-safe. */
    public static final class SafeMatcher {
        private final SafePattern p;
        private final String text;
        private java.util.regex.Matcher jm;
        private com.google.re2j.Matcher rm;
        private int from;
        private boolean exhausted;

        SafeMatcher(SafePattern p, String text) {
            this.p = p;
            this.text = text;
            if (p.jdk != null) jm = p.jdk.matcher(new Budgeted(text, p.minBudget));
            else rm = p.re2.matcher(text);
        }

        /** The next match; false when there is none. */
        public boolean find() {
            if (jm != null) {
                try {
                    boolean found = jm.find();
                    if (found) from = jm.end() > jm.start() ? jm.end() : jm.end() + 1;
                    return found;
                } catch (BudgetExceeded | StackOverflowError e) {
                    jm = null;
                    if (p.re2 == null) {
                        exhausted = true;
                        return false;
                    }
                    rm = p.re2.matcher(text);
                    if (from > text.length()) return false;
                    return rm.find(from);
                }
            }
            return rm != null && rm.find();
        }

        /** Whether a java-only pattern gave up on this text (it used up its step budget). */
        public boolean exhausted() {
            return exhausted;
        }

        public int start() {
            return jm != null ? jm.start() : rm.start();
        }

        public int end() {
            return jm != null ? jm.end() : rm.end();
        }

        public String group() {
            return jm != null ? jm.group() : rm.group();
        }

        /** A named group of the match, null when it took no part. */
        public String group(String name) {
            return jm != null ? jm.group(name) : rm.group(name);
        }

        /** Whether RE2/J answered (the pattern has no Java form, or java.util.regex ran out of budget). */
        public boolean usedRe2() {
            return jm == null;
        }
    }
}
