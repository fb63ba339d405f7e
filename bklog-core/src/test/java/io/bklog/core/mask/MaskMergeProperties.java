package io.bklog.core.mask;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Masks merge: for random digit strings and random sets of rules, every character inside any rule's match is masked
 * (or replaced), unless every rule covering it is a {@code mask_shield} that keeps it; characters outside all
 * matches are unchanged; and the result does not depend on the order (priority) of the rules. Matches are found
 * here with java.util.regex, independently of the masker's engine.
 */
class MaskMergeProperties {
    static final List<String> PATTERNS = List.of("1[3-9]\\d{9}", "\\d{16,19}", "\\d{4}", "[0-4]+", "9\\d", "\\d{3,5}",
            "(?<a>\\d{2})7(?<b>\\d)", "5+", "0\\d*0");

    record Rule(String pattern, boolean shield, int head, int tail) {
        MaskStep step(int sort) {
            if (shield) {
                return MaskRules.compile("r", "mask_shield", MaskerTest.params("{\"preserve_head\":" + head
                        + ",\"preserve_tail\":" + tail + ",\"replace_mark\":\"#\"}"), pattern, sort);
            }
            return MaskRules.compile("r", "text_replace", MaskerTest.params("{\"template_string\":\"<T>\"}"),
                    pattern, sort);
        }
    }

    @Provide
    Arbitrary<String> digits() {
        return Arbitraries.strings().withChars("0123456789 ").ofMinLength(0).ofMaxLength(60);
    }

    @Provide
    Arbitrary<List<Rule>> rules() {
        Arbitrary<Rule> rule = Combinators.combine(Arbitraries.of(PATTERNS), Arbitraries.of(true, false),
                Arbitraries.integers().between(0, 5), Arbitraries.integers().between(0, 5)).as(Rule::new);
        return rule.list().ofMinSize(1).ofMaxSize(5);
    }

    @Property(tries = 1500)
    void everyMatchedCharacterIsMaskedUnlessEveryCoveringShieldKeepsIt(@ForAll("digits") String text,
                                                                       @ForAll("rules") List<Rule> rules,
                                                                       @ForAll long seed) {
        List<MaskStep> steps = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) steps.add(rules.get(i).step(i));
        String out = new Masker(Map.of("f", steps), Set.of()).mask("f", text);

        // what may stay visible: outside every match, or kept by every (shield) match covering it
        boolean[] covered = new boolean[text.length()];
        boolean[] masked = new boolean[text.length()];
        for (Rule r : rules) {
            Matcher m = Pattern.compile(r.pattern()).matcher(text);
            while (m.find()) {
                int len = m.end() - m.start();
                if (len == 0) continue;
                boolean keepsAll = r.shield() && (r.head() > 0 || r.tail() > 0) && r.head() + r.tail() >= len;
                for (int i = m.start(); i < m.end(); i++) {
                    covered[i] = true;
                    int at = i - m.start();
                    boolean kept = r.shield() && (keepsAll || at < r.head() || at >= len - r.tail());
                    if (!kept) masked[i] = true;
                }
            }
        }
        StringBuilder visible = new StringBuilder();
        for (int i = 0; i < text.length(); i++) if (!masked[i]) visible.append(text.charAt(i));
        // masks and templates are made of characters not in the input, so the digits and spaces left in the output
        // must be exactly the visible ones, in order
        assertThat(out.replaceAll("[^0-9 ]", "")).as("masked %s", out).isEqualTo(visible.toString());

        // any priority order gives the same text when no template is involved (marks are all '#')
        if (rules.stream().allMatch(Rule::shield)) {
            List<Rule> shuffled = new ArrayList<>(rules);
            Collections.shuffle(shuffled, new Random(seed));
            List<MaskStep> other = new ArrayList<>();
            for (int i = 0; i < shuffled.size(); i++) other.add(shuffled.get(i).step(i));
            assertThat(new Masker(Map.of("f", other), Set.of()).mask("f", text)).isEqualTo(out);
            assertThat(out).hasSameSizeAs(text);
        }
    }
}
