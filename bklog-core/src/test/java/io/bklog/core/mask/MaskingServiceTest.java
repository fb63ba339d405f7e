package io.bklog.core.mask;

import io.bklog.core.BklogException;
import io.bklog.core.LogPlatform;
import io.bklog.core.indexset.IndexSetSpec;
import io.bklog.core.meta.DesensitizeRule;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.bklog.core.mask.MaskerTest.PHONE;
import static io.bklog.core.mask.MaskerTest.params;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MaskingServiceTest {
    private final LogPlatform platform = LogPlatform.builder().build();
    private final MaskingService masking = new MaskingService(platform.internals().metadata(), platform.indexSets());

    @AfterEach
    void close() {
        platform.close();
    }

    private DesensitizeRule phoneRule() {
        return masking.createRule(DesensitizeRule.of("phone", "mask_shield",
                params("{\"preserve_head\":3,\"preserve_tail\":2}"), PHONE, List.of("log"), "default"));
    }

    @Test
    void savedRuleAndConfigMaskRawLogTextAfterReload() {
        platform.indexSets().create("app", IndexSetSpec.defaults());
        DesensitizeRule rule = phoneRule();
        masking.configure("app", List.of(FieldMaskConfig.ofRule("log", rule.id(), 0)), List.of("log"));

        MaskingService fresh = new MaskingService(platform.internals().metadata(), platform.indexSets());
        assertThat(fresh.masker("app").maskSource(Map.of("log", "call 13812345678")))
                .containsEntry("log", "call 138******78");
        assertThat(fresh.textFields("app")).containsExactly("log");
    }

    @Test
    void aSavedRuleThatNoLongerCompilesFailsClosedMaskingItsFieldAndTheTextFieldsWhole() {
        platform.indexSets().create("app", IndexSetSpec.defaults());
        DesensitizeRule rule = phoneRule();
        masking.configure("app", List.of(FieldMaskConfig.ofRule("log", rule.id(), 0)), List.of("log"));
        // saved before regexes became RE2 syntax: written straight to the metadata store, as an old row would be
        platform.internals().metadata().desensitizeRules().update(platform.internals().metadata().desensitizeRules().findById(rule.id())
                .orElseThrow().withMatch("1[3-9]\\d{9}(?!\\d)", List.of("log")));
        MaskingService fresh = new MaskingService(platform.internals().metadata(), platform.indexSets());
        assertThat(fresh.masker("app").maskSource(Map.of("log", "call 13812345678")))
                .containsEntry("log", "*".repeat("call 13812345678".length()));
    }

    @Test
    void ruleWhoseMatchFieldsExcludeTheFieldIsSkippedAndInactiveRuleIsIgnored() {
        platform.indexSets().create("app", IndexSetSpec.defaults());
        DesensitizeRule rule = phoneRule();
        masking.configure("app", List.of(FieldMaskConfig.ofRule("path", rule.id(), 0)), List.of());
        assertThat(masking.masker("app").mask("path", "13812345678")).isEqualTo("13812345678");

        masking.configure("app", List.of(FieldMaskConfig.ofRule("log", rule.id(), 0)), List.of());
        assertThat(masking.masker("app").mask("log", "13812345678")).isEqualTo("138******78");
        masking.updateRule(platform.internals().metadata().desensitizeRules().findById(rule.id()).orElseThrow().withActive(false));
        assertThat(masking.masker("app").mask("log", "13812345678")).isEqualTo("13812345678");
    }

    @Test
    void invalidRulesAndConfigsAreRefusedOnSave() {
        platform.indexSets().create("app", IndexSetSpec.defaults());
        assertThatThrownBy(() -> masking.createRule(DesensitizeRule.of("bad", "text_replace",
                params("{\"template_string\":\"${x}\"}"), "\\d+", List.of(), "default")))
                .isInstanceOf(BklogException.class).hasMessageContaining("${x}");
        assertThat(platform.internals().metadata().desensitizeRules().findByName("default", "bad")).isEmpty();
        assertThatThrownBy(() -> masking.configure("app", List.of(FieldMaskConfig.inline("nope", "mask_shield",
                null, null, 0)), List.of())).hasMessageContaining("unknown field 'nope'");
        DesensitizeRule rule = phoneRule();
        assertThatThrownBy(() -> masking.configure("app", List.of(FieldMaskConfig.ofRule("log", rule.id(), 0),
                FieldMaskConfig.ofRule("log", rule.id(), 1)), List.of())).hasMessageContaining("twice");
    }

    @Test
    void previewMasksSamplesWithoutSaving() {
        platform.indexSets().create("app", IndexSetSpec.defaults());
        List<Map<String, Object>> out = masking.preview("app", List.of(Map.of("log", "id 13812345678")),
                List.of(FieldMaskConfig.inline("log", "mask_shield", params("{\"preserve_head\":3,\"preserve_tail\":2}"),
                        PHONE, 0)), List.of());
        assertThat(out).containsExactly(Map.of("log", "id 138******78"));
        assertThat(masking.masker("app").isEmpty()).isTrue();
    }
}
