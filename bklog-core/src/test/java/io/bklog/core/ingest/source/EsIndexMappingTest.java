package io.bklog.core.ingest.source;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class EsIndexMappingTest {

    @Test
    void namesTheIndexSetAnUnknownIndexStandsFor() {
        assertThat(EsIndexMapping.autoCreateName("sng-test")).isEqualTo("sng_test");
        assertThat(EsIndexMapping.autoCreateName("App.Logs")).isEqualTo("app_logs");
        assertThat(EsIndexMapping.autoCreateName("logs-nginx.access-default")).isEqualTo("nginx_access");
        assertThat(EsIndexMapping.autoCreateName("logs-generic-default")).isEqualTo("generic");
        assertThat(EsIndexMapping.autoCreateName("filebeat-8.19.0")).isEqualTo("filebeat");
        assertThat(EsIndexMapping.autoCreateName("logstash-2026.12.05")).isEqualTo("logstash");
        assertThat(EsIndexMapping.autoCreateName("x".repeat(300))).hasSize(128);
        assertThat(EsIndexMapping.autoCreateName(".kibana")).isNull();
        assertThat(EsIndexMapping.autoCreateName("_all")).isNull();
        assertThat(EsIndexMapping.autoCreateName("")).isNull();
    }

    @Test
    void createsOnlyWhenSwitchedOnAndNothingElseMatches() {
        Set<String> existing = Set.of("app");
        EsIndexMapping on = new EsIndexMapping(Map.of("filebeat-*", "app"), null, true);
        assertThat(on.resolve("filebeat-8.19.0", existing::contains).create()).isNull();
        EsIndexMapping.Resolution r = on.resolve("sng-test", existing::contains);
        assertThat(r.indexSet()).hasValue("sng_test");
        assertThat(r.create()).isEqualTo("sng_test");
        EsIndexMapping off = new EsIndexMapping(Map.of(), null, false);
        EsIndexMapping.Resolution refused = off.resolve("sng-test", existing::contains);
        assertThat(refused.indexSet()).isEmpty();
        assertThat(refused.reason()).contains("es_compat.auto_create_index is off");
        assertThat(off.resolve("sng-test", Set.of("sng_test")::contains).indexSet()).as("the alias of an existing one")
                .hasValue("sng_test");
    }
}
