package io.bklog.core.ingest.source;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code _bulk} body parser; storing and answering items is {@link EsBulkServiceTest}'s. */
class EsBulkIngestTest {

    @Test
    void refusesTheWholeRequestOnAMalformedActionLine() {
        assertThatThrownBy(() -> EsBulkIngest.parse("{\"index\":{}}\n{}\nnot json\n", "x"))
                .hasMessageContaining("_bulk line 3");
        assertThatThrownBy(() -> EsBulkIngest.parse("{\"index\":{}}\n", "x")).hasMessageContaining("without a source line");
    }

    @Test
    void parsesIndexAndCreateItemsAndMarksDeleteAsUnsupported() {
        List<EsBulkIngest.BulkItem> items = EsBulkIngest.parse("""
                {"index":{"_index":"app","_id":"a1"}}
                {"msg":"one"}
                {"create":{}}
                {"msg":"two"}
                {"delete":{"_index":"app","_id":"a1"}}
                """, "app");
        assertThat(items).hasSize(3);
        assertThat(items.get(0)).satisfies(i -> {
            assertThat(i.action()).isEqualTo("index");
            assertThat(i.id()).isEqualTo("a1");
            assertThat(i.source()).contains("one");
        });
        assertThat(items.get(1).index()).isEqualTo("app");
        assertThat(items.get(1).id()).isNull();
        assertThat(items.get(2).errorType()).isEqualTo("illegal_argument_exception");
    }

    @Test
    void aRepeatedActionLineGivesEachItemItsOwnSourceAndLineAndADifferentOneIsReadAgain() {
        List<EsBulkIngest.BulkItem> items = EsBulkIngest.parse("""
                {"index":{"_index":"app"}}
                {"msg":"one"}
                {"index":{"_index":"app"}}
                {"msg":"two"}
                {"index":{"_index":"app","_id":"x"}}
                {"msg":"three"}
                {"index":{"_index":"app"}}
                {"msg":"four"}
                {"create":{"_index":"other"}}
                {"msg":"five"}
                """, null);
        assertThat(items).extracting(EsBulkIngest.BulkItem::source).containsExactly("{\"msg\":\"one\"}",
                "{\"msg\":\"two\"}", "{\"msg\":\"three\"}", "{\"msg\":\"four\"}", "{\"msg\":\"five\"}");
        assertThat(items).extracting(EsBulkIngest.BulkItem::line).containsExactly(1, 3, 5, 7, 9);
        assertThat(items).extracting(EsBulkIngest.BulkItem::id).containsExactly(null, null, "x", null, null);
        assertThat(items).extracting(EsBulkIngest.BulkItem::index).containsExactly("app", "app", "app", "app", "other");
        assertThat(items).extracting(EsBulkIngest.BulkItem::action).containsExactly("index", "index", "index",
                "index", "create");
        // a malformed line after a good one is still refused, naming its own line
        assertThatThrownBy(() -> EsBulkIngest.parse("{\"index\":{}}\n{}\n{\"index\":{}}\n{}\n{\"index\":{\"bad\":1}}\n{}\n",
                "x")).hasMessageContaining("line [5]");
    }

    @Test
    void ignoresExtraKeysAfterTheActionObjectWithOneWarningAsElasticsearch8Does() {
        EsBulkIngest.Parsed p = EsBulkIngest.parseWithWarnings("""
                {"index":{"_index":"app"},"attempts":0}
                {"msg":"one"}
                {"index":{"_index":"app","pipeline":"p","routing":"r","require_alias":false},"attempts":1,"x":{}}
                {"msg":"two"}
                """, null);
        assertThat(p.items()).hasSize(2).allSatisfy(i -> assertThat(i.errorType()).isNull());
        assertThat(p.warnings()).singleElement().satisfies(w -> assertThat(w)
                .startsWith(EsBulkIngest.EXTRA_KEYS_WARNING).contains("[attempts, x]").contains("line 1"));
        assertThat(EsBulkIngest.parseWithWarnings("{\"index\":{}}\n{}\n", "a").warnings()).isEmpty();
    }

    @Test
    void theExtraKeysWarningNamesAtMostTenKeysEachCutAndCountsTheRest() {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            body.append("{\"index\":{\"_index\":\"app\"},\"k").append(i).append("\":0}\n{\"msg\":1}\n");
        }
        body.append("{\"index\":{\"_index\":\"app\"},\"").append("L".repeat(5000)).append("\":0}\n{}\n");
        String w = EsBulkIngest.parseWithWarnings(body.toString(), null).warnings().get(0);
        assertThat(w).contains("[k0, k1, k2, k3, k4, k5, k6, k7, k8, k9 and 491 more]").doesNotContain("k10")
                .doesNotContain("LLLL");
        assertThat(w.length()).isLessThan(EsBulkIngest.EXTRA_KEYS_WARNING.length() + 300);
        String longKey = EsBulkIngest.parseWithWarnings("{\"index\":{},\"" + "L".repeat(5000) + "\":0}\n{}\n",
                "app").warnings().get(0);
        assertThat(longKey).contains("[" + "L".repeat(64) + "...]").doesNotContain("L".repeat(65));
    }

    @Test
    void opTypeCreateMakesAnIndexActionACreate() {
        assertThat(EsBulkIngest.parse("{\"index\":{\"op_type\":\"create\"}}\n{}\n", "a").get(0).action())
                .isEqualTo("create");
    }

    @Test
    void refusesWhatElasticsearch8RefusesNamingTheLineAndTheKey() {
        assertThatThrownBy(() -> EsBulkIngest.parse("{\"index\":{}}\n{}\n{\"index\":{\"attempts\":0}}\n{}\n", "x"))
                .hasMessageContaining("line [3] contains an unknown parameter [attempts]");
        assertThatThrownBy(() -> EsBulkIngest.parse("{\"upsert\":{}}\n{}\n", "x"))
                .hasMessageContaining("line [1]").hasMessageContaining("but found [upsert]");
        assertThatThrownBy(() -> EsBulkIngest.parse("{\"index\":{\"_index\":[\"a\"]}}\n{}\n", "x"))
                .hasMessageContaining("simple value for field [_index]");
        assertThatThrownBy(() -> EsBulkIngest.parse("{}\n{}\n", "x"))
                .hasMessageContaining("expected FIELD_NAME but found [END_OBJECT]");
        assertThatThrownBy(() -> EsBulkIngest.parse("[1]\n{}\n", "x"))
                .isInstanceOfSatisfying(EsBulkIngest.MalformedBulkException.class, e ->
                        assertThat(e.type()).isEqualTo("illegal_argument_exception"));
        assertThatThrownBy(() -> EsBulkIngest.parse("{\"index\": nope}\n{}\n", "x"))
                .isInstanceOfSatisfying(EsBulkIngest.MalformedBulkException.class, e ->
                        assertThat(e.type()).isEqualTo("x_content_parse_exception"));
    }

    @Test
    void readsShipperTimesAsEpochMillisOrSecondsOrIso() {
        assertThat(EsBulkService.epochMillis(1_796_119_200_123L)).isEqualTo(1_796_119_200_123L);
        assertThat(EsBulkService.epochMillis(1_796_119_200)).isEqualTo(1_796_119_200_000L);
        assertThat(EsBulkService.epochMillis(1_796_119_200.5)).isEqualTo(1_796_119_200_500L);
        assertThat(EsBulkService.epochMillis("1796119200")).isEqualTo(1_796_119_200_000L);
        assertThat(EsBulkService.epochMillis("2026-12-01T10:00:00Z")).isEqualTo(1_796_119_200_000L);
        assertThat(EsBulkService.epochMillis("fast")).isNull();
        assertThat(EsBulkService.epochMillis(true)).isNull();
    }
}
