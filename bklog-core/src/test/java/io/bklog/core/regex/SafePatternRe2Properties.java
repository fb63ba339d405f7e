package io.bklog.core.regex;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SafePattern answers exactly as RE2/J does (RE2's semantics are the documented ones), whether java.util.regex or
 * RE2/J runs the match: every successive match's span, text and named groups, on random patterns from a grammar
 * built around the constructs the two engines read differently ({@code $}, {@code \s}, {@code \v}, {@code \b},
 * {@code &&}, nested classes, case folding of non-ASCII letters, {@code (?P<}, {@code \Q...\E}) and random texts
 * holding {@code \n}, {@code \u000B} and non-ASCII letters.
 */
class SafePatternRe2Properties {
    static final List<String> ATOMS = List.of("a", "b", "k", "s", "1", "é", "ü", "Ü", "ß", " ", "\\n", ".", "\\d", "\\w",
            "\\W", "\\s", "\\S", "\\v", "\\b", "\\B", "$", "^", "\\A", "\\z", "[a-z]", "[^b]", "[a-z&&[^b]]", "[\\s]",
            "[^\\s]", "[\\v]", "[\\d\\s]", "[[:alpha:]]", "\\Q$a\\E", "\\Q(?P<q>\\E", "\\x{e9}", "\\pL", "[é-ü]",
            "\\.", "\\$", "[$]", "[]a]");

    /** Constructs SafePattern translates for java.util.regex (the fast path) rather than leaving to RE2/J. */
    static final List<String> JAVA_ATOMS = List.of("a", "b", "1", " ", "é", "\\n", ".", "\\d", "\\w", "\\s", "\\S",
            "\\v", "$", "^", "[a-z]", "[^b]", "[\\s]", "[^\\s]", "[\\v]", "[\\d\\s]", "\\Q$a\\E", "\\x{e9}", "\\$");

    static final String CHARS = "ab kKsS1_\n\u000B\t\r\féüÜßẞ\u212A\u017F.$";

    @Provide
    Arbitrary<String> patterns() {
        return Combinators.combine(Arbitraries.of("", "", "", "(?i)", "(?s)", "(?m)", "(?U)", "(?is)"), node(3))
                .as(String::concat);
    }

    @Provide
    Arbitrary<String> javaPatterns() {
        return Combinators.combine(Arbitraries.of("", "", "(?s)"), node(3, JAVA_ATOMS)).as(String::concat);
    }

    private Arbitrary<String> node(int depth) {
        return node(depth, ATOMS);
    }

    private Arbitrary<String> node(int depth, List<String> atoms) {
        Arbitrary<String> atom = Arbitraries.of(atoms);
        if (depth == 0) return atom;
        Arbitrary<String> sub = Arbitraries.lazy(() -> node(depth - 1, atoms));
        return Arbitraries.frequencyOf(
                Tuple.of(4, atom),
                Tuple.of(4, Combinators.combine(sub, sub).as(String::concat)),
                Tuple.of(1, Combinators.combine(sub, sub).as((x, y) -> x + "|" + y)),
                Tuple.of(2, Combinators.combine(sub, Arbitraries.of("*", "+", "?", "*?", "+?", "{1,2}", "{2}"))
                        .as((x, q) -> "(?:" + x + ")" + q)),
                Tuple.of(1, sub.map(x -> "(" + x + ")")),
                Tuple.of(1, sub.map(x -> "(?P<g>" + x + ")")),
                Tuple.of(1, sub.map(x -> "(?i:" + x + ")")),
                Tuple.of(1, sub.map(x -> "(?m:" + x + ")")));
    }

    @Provide
    Arbitrary<String> texts() {
        return Arbitraries.strings().withChars(CHARS).ofMaxLength(14);
    }

    @Property(tries = 4000)
    void safePatternAgreesWithRe2j(@ForAll("patterns") String regex, @ForAll("texts") String text,
                                   @ForAll("flags") int flags) {
        com.google.re2j.Pattern re2;
        try {
            re2 = UserRegex.compile(regex, flags);
        } catch (IllegalArgumentException e) {
            Assume.that(false);
            return;
        }
        SafePattern p = SafePattern.compile(regex, flags);
        Statistics.label("engine").collect(p.hasJavaForm() ? "java" : "re2j");
        assertAgree(p, re2, text);
        Statistics.label("engine").coverage(c -> c.check("java").percentage(pc -> pc > 25));
    }

    /** The same on patterns that mostly keep the java.util.regex fast path, so it is what gets compared. */
    @Property(tries = 3000)
    void theJavaFastPathAgreesWithRe2j(@ForAll("javaPatterns") String regex, @ForAll("texts") String text,
                                       @ForAll boolean dotall) {
        int flags = dotall ? SafePattern.DOTALL : 0;
        com.google.re2j.Pattern re2;
        try {
            re2 = UserRegex.compile(regex, flags);
        } catch (IllegalArgumentException e) {
            Assume.that(false);
            return;
        }
        SafePattern p = SafePattern.compile(regex, flags);
        Statistics.label("engine").collect(p.hasJavaForm() ? "java" : "re2j");
        assertAgree(p, re2, text);
        Statistics.label("engine").coverage(c -> c.check("java").percentage(pc -> pc > 40));
    }

    @Provide
    Arbitrary<Integer> flags() {
        return Arbitraries.of(0, SafePattern.CASE_INSENSITIVE, SafePattern.DOTALL,
                SafePattern.CASE_INSENSITIVE | SafePattern.DOTALL);
    }

    /** The review's examples, each a case where java.util.regex alone disagreed with RE2. */
    @Example
    void reviewedMismatchesAnswerAsRe2() {
        agree("\\d{11}$", 0, "13812345678\n");
        agree("(?i)müller", 0, "MÜLLER");
        agree("müller", SafePattern.CASE_INSENSITIVE, "MÜLLER");
        agree("a\\sb", 0, "a\u000Bb");
        agree("a\\vb", 0, "a\nb");
        agree("\\bé", 0, "aé");
        agree("[a-z&&[^b]]x", 0, "cx");
        agree("\\Q(?P<x>\\E", 0, "(?P<x>");
        agree("(?P<x>a)\\Q(?P<y>\\E", 0, "a(?P<y>");
        assertThat(SafePattern.compile("(?i)müller").find("MÜLLER")).isTrue();
        assertThat(SafePattern.compile("\\d{11}$").find("13812345678\n")).isFalse();
        assertThat(SafePattern.compile("a\\sb").find("a\u000Bb")).isFalse();
        assertThat(SafePattern.compile("a\\vb").find("a\nb")).isFalse();
        assertThat(SafePattern.compile("[a-z&&[^b]]x").find("cx")).isFalse();
        assertThat(SafePattern.compile("\\Q(?P<x>\\E").find("(?P<x>")).isTrue();
    }

    /** Input length (past the step budget RE2/J finishes) must not decide whether a $-anchored rule fires. */
    @Example
    void inputLengthDoesNotDecideTheAnswer() {
        SafePattern p = SafePattern.compile("(.*a){12}c|\\d{3}$");
        assertThat(p.find("123\n")).isFalse();
        SafePattern.SafeMatcher m = p.matcher("a".repeat(200) + " 123\n");
        assertThat(m.find()).isFalse();
        assertThat(p.find("a".repeat(200) + " 123")).isTrue();
        agree("(.*a){12}c|\\d{3}$", 0, "a".repeat(200) + " 123\n");
    }

    @Example
    void ordinaryEtlPatternsKeepTheJavaFastPath() {
        for (String r : List.of("^(?P<ip>\\d+\\.\\d+\\.\\d+\\.\\d+) (?P<rest>.*)$", "(?i)error\\s+(\\d+)",
                "\\d{11}$", "user=(?P<user>[^\\s]+)", "\\Q(?P<x>\\E", "(?:, \\d+)*$",
                "^(?<ts>\\S+ \\S+) \\[(?<thread>[^\\]]+)\\] (?<level>[A-Z]+) +(?<logger>\\S+) - "
                        + "status=(?<status>\\d+) (?<msg>.*)$")) {
            assertThat(SafePattern.compile(r).hasJavaForm()).as(r).isTrue();
        }
    }

    private static void agree(String regex, int flags, String text) {
        assertAgree(SafePattern.compile(regex, flags), UserRegex.compile(regex, flags), text);
    }

    private static void assertAgree(SafePattern p, com.google.re2j.Pattern re2, String text) {
        assertThat(matches(p, text)).as("%s on %s", p.pattern(), escape(text)).isEqualTo(matches(re2, p, text));
    }

    private static List<String> matches(SafePattern p, String text) {
        List<String> out = new ArrayList<>();
        SafePattern.SafeMatcher m = p.matcher(text);
        while (out.size() < 40 && m.find()) {
            StringBuilder s = new StringBuilder().append(m.start()).append('-').append(m.end()).append('=')
                    .append(escape(m.group()));
            for (String g : p.groupNames()) s.append(' ').append(g).append('=').append(escape(m.group(g)));
            out.add(s.toString());
        }
        return out;
    }

    private static List<String> matches(com.google.re2j.Pattern re2, SafePattern p, String text) {
        List<String> out = new ArrayList<>();
        com.google.re2j.Matcher m = re2.matcher(text);
        while (out.size() < 40 && m.find()) {
            StringBuilder s = new StringBuilder().append(m.start()).append('-').append(m.end()).append('=')
                    .append(escape(m.group()));
            for (String g : p.groupNames()) s.append(' ').append(g).append('=').append(escape(m.group(g)));
            out.add(s.toString());
        }
        return out;
    }

    private static String escape(String s) {
        if (s == null) return "null";
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c < 0x20 || c > 0x7e) b.append(String.format("\\u%04X", (int) c));
            else b.append(c);
        }
        return b.toString();
    }
}
