package io.bklog.core.regex;

import io.bklog.core.etl.NamedRegex;
import io.bklog.core.ingest.FilterCondition;
import io.bklog.core.ingest.LineFilter;
import io.bklog.core.ingest.MultilineConfig;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SafePatternTest {
    static final String AS = "a".repeat(5000);

    /**
     * Nanoseconds of {@code r}, failing past 10 s. The work is milliseconds; a backtracking engine takes hours on these
     * inputs, so 10 s still tells them apart, and leaves room for a loaded 2-core machine under libfaketime (3.6 s
     * seen there once).
     */
    static long withinTenSeconds(Runnable r) {
        long t = System.nanoTime();
        r.run();
        long ns = System.nanoTime() - t;
        assertThat(ns).as("took %d ms", ns / 1_000_000).isLessThan(10_000_000_000L);
        return ns;
    }

    @Test
    void catastrophicPatternsAnswerFastAndCorrectly() {
        for (String p : List.of("(.*a){25}b", "(a|a)*b", "(a+)+b", "(a|aa)+b", "^(\\w+\\s?)*$")) {
            SafePattern sp = SafePattern.compile(p);
            withinTenSeconds(() -> assertThat(sp.find(AS + "!")).as(p).isFalse());
            withinTenSeconds(() -> assertThat(sp.find(AS + "b")).as(p).isTrue());
        }
        SafePattern nested = SafePattern.compile("(a|a)*b");
        SafePattern.SafeMatcher m = nested.matcher(AS + "b");
        assertThat(m.find()).isTrue();
        assertThat(m.usedRe2()).isTrue();
        assertThat(m.start()).isZero();
        assertThat(m.end()).isEqualTo(5001);
    }

    @Test
    void ordinaryMatchesStayOnJavaAndFindAllMatches() {
        SafePattern p = SafePattern.compile("(?<d>\\d+)");
        SafePattern.SafeMatcher m = p.matcher("a1 b22 c333");
        List<String> found = new ArrayList<>();
        while (m.find()) found.add(m.group("d") + "@" + m.start());
        assertThat(found).containsExactly("1@1", "22@4", "333@8");
        assertThat(m.usedRe2()).isFalse();
        assertThat(p.groupNames()).containsExactly("d");
    }

    @Test
    void findAllSwitchesEngineMidwayWithoutLosingOrRepeatingMatches() {
        // a quadratic find-all (each start rescans the run of digits) runs out of budget on the long run
        String text = "x1y " + "9".repeat(20_000) + " 12z 3";
        SafePattern p = SafePattern.compile("\\d+[a-z]");
        SafePattern.SafeMatcher m = p.matcher(text);
        List<String> found = new ArrayList<>();
        withinTenSeconds(() -> {
            while (m.find()) found.add(m.group());
        });
        assertThat(found).containsExactly("1y", "12z");
    }

    @Test
    void refusesWhatRe2LacksNamingTheConstruct() {
        assertThatThrownBy(() -> UserRegex.compile("a(?=b)"))
                .hasMessage("lookahead (?=...) is not supported: bklog runs regexes in linear time (RE2 syntax)");
        assertThatThrownBy(() -> UserRegex.compile("a(?!b)")).hasMessageStartingWith("negative lookahead (?!...)");
        assertThatThrownBy(() -> UserRegex.compile("(?<=a)b")).hasMessageStartingWith("lookbehind (?<=...)");
        assertThatThrownBy(() -> UserRegex.compile("(?<!a)b")).hasMessageStartingWith("negative lookbehind");
        assertThatThrownBy(() -> UserRegex.compile("(a)\\1")).hasMessageStartingWith("backreference \\1");
        assertThatThrownBy(() -> UserRegex.compile("(?<x>a)\\k<x>")).hasMessageStartingWith("backreference \\k<name>");
        assertThatThrownBy(() -> UserRegex.compile("(?P<x>a)(?P=x)")).hasMessageStartingWith("backreference (?P=name)");
        assertThatThrownBy(() -> UserRegex.compile("(?>a+)b")).hasMessageStartingWith("atomic group (?>...)");
        assertThatThrownBy(() -> UserRegex.compile("a++b")).hasMessageStartingWith("possessive quantifier");
        assertThatThrownBy(() -> UserRegex.compile("[a-z]{1,100000}")).hasMessageContaining("at most 1000");
        assertThatThrownBy(() -> UserRegex.compile("^\\d{4")).isInstanceOf(UserRegex.InvalidRegexException.class)
                .hasMessageContaining("'{'");
        assertThatThrownBy(() -> UserRegex.compile("a(b")).hasMessageContaining("missing closing )");
        // escaped or in a class, these are plain characters
        assertThat(UserRegex.compile("\\(\\?=[(?=]\\\\1\\++").matcher("(?=(\\1++").find()).isTrue();
    }

    @Test
    void namedGroupsInBothSyntaxesAndPythonNamesKeepWorking() {
        assertThat(SafePattern.compile("(?<a>x)(?P<b_c>y)").groupNames()).containsExactly("a", "b_c");
        SafePattern.SafeMatcher py = SafePattern.compile("(?P<p>1[3-9]\\d)\\d{8}").matcher("call 13812345678");
        assertThat(py.find()).isTrue();
        assertThat(py.group("p")).isEqualTo("138");
        assertThat(py.usedRe2()).as("(?P<name> runs on java.util.regex as (?<name>").isFalse();
        NamedRegex r = NamedRegex.regex("(?P<user_name>\\w+) (?<level>[A-Z]+) (?P<msg>.*)");
        SafePattern.SafeMatcher m = r.pattern().matcher("bob INFO hello\nworld");
        assertThat(m.find()).isTrue();
        assertThat(m.group(r.groups().get("user_name").get(0))).isEqualTo("bob");
        assertThat(m.group(r.groups().get("msg").get(0))).isEqualTo("hello\nworld"); // DOTALL
        assertThatThrownBy(() -> NamedRegex.regex("(?P<a>[0-9"))
                .hasMessage("invalid regex: missing closing ] '[0-9' near index 6 of '(?P<a>[0-9'");
        NamedRegex dotted = NamedRegex.regex("(?P<req.ip>[0-9.]+)");
        assertThat(dotted.groups()).containsKey("req.ip");
        assertThatThrownBy(() -> NamedRegex.regex("(?P<a>x)(?P=a)")).hasMessageContaining("backreference")
                .hasMessageContaining("linear time");
    }

    @Test
    void filtersAndMultilineAreBoundedToo() {
        LineFilter f = LineFilter.of(List.of(new FilterCondition(FilterCondition.WHOLE_LINE, "regex", "(.*a){25}b",
                "and")), null);
        withinTenSeconds(() -> assertThat(f.test(AS)).isFalse());
        MultilineConfig ml = MultilineConfig.of("(a|a)*b", 10, 1);
        withinTenSeconds(() -> assertThat(ml.isFirstLine(AS)).isFalse());
        assertThatThrownBy(() -> MultilineConfig.of("^(?=\\d)", 10, 1)).hasMessageContaining("lookahead");
    }
}
