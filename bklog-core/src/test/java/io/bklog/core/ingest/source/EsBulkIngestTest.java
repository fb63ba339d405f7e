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
}
