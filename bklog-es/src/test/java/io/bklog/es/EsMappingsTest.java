package io.bklog.es;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.IndexSetSchema;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class EsMappingsTest {
    private final ObjectMapper om = new ObjectMapper();
    private final IndexSetSchema schema = new IndexSetSchema("app", "dtEventTimeStamp",
            List.of(new FieldSpec("log", FieldType.TEXT)), 1, 0, 0);

    @Test
    void indicesUseDeflateStoredFieldsAndMergeTenSegmentsAtOnce() {
        ObjectNode s = EsMappings.settings(om, schema);
        assertThat(s.path("codec").asText()).isEqualTo("legacy_best_compression");
        assertThat(s.path("merge.policy.merge_factor").asInt()).isEqualTo(10);
    }

    @Test
    void anOlderNodeGetsBestCompressionAndItsOwnMergePolicy() {
        // the 400 answers of a node without the codec or the setting
        assertThat(EsMappings.refusedNewerSetting("Elasticsearch refused PUT /_index_template/bklog_app: "
                + "unknown value for [index.codec] must be one of [default, lz4, best_compression] but was: "
                + "legacy_best_compression")).isTrue();
        assertThat(EsMappings.refusedNewerSetting("Elasticsearch refused PUT /_index_template/bklog_app: "
                + "unknown setting [index.merge.policy.merge_factor] please check that any required plugins are"
                + " installed")).isTrue();
        assertThat(EsMappings.refusedNewerSetting("mapper_parsing_exception: unknown parameter [foo]")).isFalse();
        assertThat(EsMappings.refusedNewerSetting(null)).isFalse();

        ObjectNode settings = EsMappings.settings(om, schema);
        ObjectNode older = EsMappings.forOlderNodes(settings);
        assertThat(older.path("codec").asText()).isEqualTo("best_compression");
        assertThat(older.has("merge.policy.merge_factor")).isFalse();
        assertThat(older.path("analysis")).isEqualTo(settings.path("analysis"));
        assertThat(settings.path("codec").asText()).isEqualTo("legacy_best_compression"); // the original unchanged
    }
}
