package io.bklog.server.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class EsCompatConfigTest {
    @TempDir
    Path dir;

    @Test
    void isOnByDefaultWithoutMappingOrDefaultIndexSet() {
        EsCompatConfig c = ConfigLoader.load(null, Map.of(), Map.of()).esCompat();
        assertThat(c.enabled()).isTrue();
        assertThat(c.defaultIndexSet()).isEmpty();
        assertThat(c.indexMapping()).isEmpty();
        assertThat(c.clusterName()).isEqualTo("bklog");
        assertThat(c.version()).startsWith("8.19.");
        assertThat(c.autoCreateIndex()).as("index sets made on first write, as Elasticsearch does").isTrue();
        assertThat(ConfigLoader.load(null, Map.of("BKLOG_ES_COMPAT_AUTO_CREATE_INDEX", "false"), Map.of()).esCompat()
                .autoCreateIndex()).isFalse();
    }

    @Test
    void autoCreateIsSwitchedPerSpace() throws IOException {
        Path f = Files.writeString(dir.resolve("spaces.yaml"), """
                es_compat:
                  auto_create_index: false
                  auto_create_index_spaces:
                    team_a: true
                """);
        EsCompatConfig c = ConfigLoader.load(f, Map.of(), Map.of()).esCompat();
        assertThat(c.autoCreateIndexIn("team_a")).isTrue();
        assertThat(c.autoCreateIndexIn("default")).isFalse();
        assertThat(c.autoCreateIndexAnywhere()).isTrue();
        assertThat(EsCompatConfig.defaults().autoCreateIndexIn("any")).isTrue();
    }

    @Test
    void refusesAVersionThatIsNotMajorMinorPatch() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ConfigLoader.load(null,
                        Map.of("BKLOG_ES_COMPAT_VERSION", "8.x"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("es_compat.version '8.x'");
    }

    @Test
    void readsTheIndexMappingInFileOrderAndTheDefaultFromTheEnvironment() throws IOException {
        Path f = Files.writeString(dir.resolve("bklog.yaml"), """
                es_compat:
                  index_mapping:
                    filebeat-*: app
                    logs-*-*: misc
                    rsyslog-?: syslog
                """);
        EsCompatConfig c = ConfigLoader.load(f, Map.of("BKLOG_ES_COMPAT_DEFAULT_INDEX_SET", "misc",
                "BKLOG_ES_COMPAT_ENABLED", "false"), Map.of()).esCompat();
        assertThat(c.indexMapping().keySet()).containsExactly("filebeat-*", "logs-*-*", "rsyslog-?");
        assertThat(c.indexMapping()).containsEntry("filebeat-*", "app");
        assertThat(c.defaultIndexSet()).isEqualTo("misc");
        assertThat(c.enabled()).isFalse();
    }
}
