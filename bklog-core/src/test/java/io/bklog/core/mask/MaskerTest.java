package io.bklog.core.mask;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.BklogException;
import io.bklog.spi.SearchResult;
import io.bklog.spi.query.AggregationResult;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MaskerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String PHONE = "1[3-9]\\d{9}";

    static JsonNode params(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static MaskStep shield(String pattern, int head, int tail, int sort) {
        return MaskRules.compile("t", "mask_shield", params("{\"preserve_head\":" + head + ",\"preserve_tail\":"
                + tail + "}"), pattern, sort);
    }

    @Test
    void maskShieldKeepsHeadAndTailAsBklogDoes() {
        assertThat(new MaskOperator.MaskShield(3, 2, null).apply("13234345678", Map.of())).isEqualTo("132******78");
        assertThat(new MaskOperator.MaskShield(0, 0, "#").apply("abc", Map.of())).isEqualTo("###");
        assertThat(new MaskOperator.MaskShield(2, 2, null).apply("abcd", Map.of())).isEqualTo("abcd");
    }

    @Test
    void textReplaceRendersNamedGroups() {
        MaskStep s = MaskRules.compile("t", "text_replace", params("{\"template_string\":\"${p}****${s}\"}"),
                "(?<p>1[3-9]\\d)\\d{4}(?<s>\\d{4})", 0);
        Masker m = new Masker(Map.of("phone", List.of(s)), Set.of());
        assertThat(m.mask("phone", "call 13812345678 now")).isEqualTo("call 138****5678 now");
    }

    @Test
    void rejectsBadRegexAndTemplateReferencingMissingGroup() {
        assertThatThrownBy(() -> MaskRules.compile("rule 'x'", "mask_shield", null, "([a-", 0))
                .isInstanceOf(BklogException.class).hasMessageContaining("match_pattern does not compile");
        assertThatThrownBy(() -> MaskRules.compile("rule 'x'", "text_replace",
                params("{\"template_string\":\"${nope}\"}"), "(?<a>\\d+)", 0))
                .isInstanceOf(BklogException.class).hasMessageContaining("${nope}");
        assertThatThrownBy(() -> MaskRules.compile("rule 'x'", "rot13", null, null, 0))
                .hasMessageContaining("unknown operator 'rot13'");
        assertThatThrownBy(() -> MaskRules.compile("rule 'x'", "mask_shield", params("{\"preserve_head\":-1}"), null, 0))
                .hasMessageContaining("preserve_head");
    }

    @Test
    void overlappingMatchesMergeSoEveryCharacterAnyOfThemMasksStaysMasked() {
        MaskStep digits4 = MaskRules.compile("t", "text_replace", params("{\"template_string\":\"[N]\"}"),
                "\\d{4}", 2);
        MaskStep phone = shield(PHONE, 3, 2, 1);
        Masker m = new Masker(Map.of("log", List.of(digits4, phone)), Set.of());
        // 1381|2345 (text_replace) overlap the phone: their digits are masked; the phone's tail "78" is kept by the
        // only rule covering it; "1234" overlaps nothing and gets its template
        assertThat(m.mask("log", "13812345678 pin 1234")).isEqualTo("*********78 pin [N]");
        Masker reversed = new Masker(Map.of("log", List.of(MaskRules.compile("t", "text_replace",
                params("{\"template_string\":\"[N]\"}"), "\\d{4}", 1), shield(PHONE, 3, 2, 2))), Set.of());
        assertThat(reversed.mask("log", "13812345678 pin 1234")).isEqualTo("*********78 pin [N]");
    }

    @Test
    void aPhoneRuleInsideACardNumberDoesNotUncoverCardDigits() {
        MaskStep card = shield("\\d{16,19}", 6, 4, 0);
        MaskStep phone = shield(PHONE, 3, 4, 1);
        String[] cards = {"6222021234567890123", "6222021381234567890", "6222138123456789012", "6222021234567891380"};
        for (List<MaskStep> order : List.of(List.of(card, phone), List.of(phone, card),
                List.of(shield(PHONE, 3, 4, 0), shield("\\d{16,19}", 6, 4, 1)))) {
            Masker m = new Masker(Map.of("card_no", order), Set.of("log"));
            for (String c : cards) {
                String alone = new MaskOperator.MaskShield(6, 4, null).apply(c, Map.of());
                assertThat(m.mask("card_no", c)).as("%s with %s", c, order).isEqualTo(alone);
                assertThat(m.mask("log", "paid with " + c + " ok")).isEqualTo("paid with " + alone + " ok");
            }
        }
        // the phone alone is still masked by its own rule
        Masker m = new Masker(Map.of("card_no", List.of(card, phone)), Set.of("log"));
        assertThat(m.mask("log", "call 13812345678")).isEqualTo("call 138****5678");
    }

    @Test
    void overlapUsesTheMarkOfTheHighestPriorityShieldAndNeverAppliesATemplateThatCouldCopyRawDigits() {
        MaskStep hash = MaskRules.compile("t", "mask_shield", params("{\"replace_mark\":\"#\"}"), "\\d{6}", 0);
        MaskStep keepAll = MaskRules.compile("t", "text_replace", params("{\"template_string\":\"${a}\"}"),
                "(?P<a>\\d{3}x)", 1);
        Masker m = new Masker(Map.of("f", List.of(hash, keepAll)), Set.of());
        assertThat(m.mask("f", "123456x")).isEqualTo("#######".substring(0, 6) + "*");
        assertThat(m.mask("f", "999x")).isEqualTo("999x");
    }

    @Test
    void noPatternMasksWholeValueAndNestedKeysUseTopLevelField() {
        Masker m = new Masker(Map.of("user", List.of(shield(null, 1, 0, 0))), Set.of());
        Map<String, Object> src = m.maskSource(Map.of("user", Map.of("name", "alice"), "other", "bob"));
        assertThat(src).containsEntry("other", "bob");
        assertThat(((Map<?, ?>) src.get("user")).get("name")).isEqualTo("a****");
    }

    @Test
    void textFieldsGetEveryPatternedStepOfOtherFields() {
        Masker m = new Masker(Map.of("phone", List.of(shield(PHONE, 3, 2, 0))), Set.of("log"));
        assertThat(m.maskSource(Map.of("log", "user 13812345678 logged in", "phone", 13812345678L)))
                .containsEntry("log", "user 138******78 logged in").containsEntry("phone", "138******78");
    }

    @Test
    void highlightMarksStaySaneAroundMaskedText() {
        Masker m = new Masker(Map.of("log", List.of(shield(PHONE, 3, 2, 0))), Set.of());
        assertThat(m.maskHighlight("log", "<mark>user</mark> 138<mark>1234</mark>5678 x"))
                .isEqualTo("<mark>user</mark> <mark>138******78</mark> x");
        assertThat(m.maskHighlight("log", "<mark>13812345678</mark> <mark>ok</mark>"))
                .isEqualTo("<mark>138******78</mark> <mark>ok</mark>");
        assertThat(m.maskHighlight("log", "nothing here")).isEqualTo("nothing here");
    }

    @Test
    void maskedHitHasNoRawSecretInSourceOrHighlights() {
        Masker m = new Masker(Map.of("log", List.of(shield(PHONE, 3, 2, 0))), Set.of());
        SearchResult.Hit hit = new SearchResult.Hit("i", "1", Map.of("log", "a 13812345678"),
                Map.of("log", List.of("a <mark>13812345678</mark>")), List.of(1L));
        SearchResult.Hit masked = m.maskHit(hit);
        assertThat(masked.toString()).doesNotContain("13812345678");
        assertThat(masked.sortValues()).containsExactly(1L);
    }

    @Test
    void termsKeysAreMaskedAndMerged() {
        Masker m = new Masker(Map.of("phone", List.of(shield(null, 3, 2, 0))), Set.of());
        AggregationResult.TermsResult t = m.maskTerms("phone", new AggregationResult.TermsResult(List.of(
                new AggregationResult.Bucket("13812345678", 3), new AggregationResult.Bucket("13899999978", 2)), 1));
        assertThat(t.buckets()).containsExactly(new AggregationResult.Bucket("138******78", 5));
        assertThat(t.otherCount()).isEqualTo(1);
    }
}
