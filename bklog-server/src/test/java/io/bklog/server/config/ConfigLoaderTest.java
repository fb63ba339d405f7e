package io.bklog.server.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    @Test
    void defaultsListenLocallyOn9280WithEmbeddedStoreInBklogData() {
        BklogConfig c = ConfigLoader.load(null, Map.of(), Map.of());
        assertThat(c.server().host()).isEqualTo("127.0.0.1");
        assertThat(c.server().port()).isEqualTo(9280);
        assertThat(c.dataDir()).isEqualTo("bklog-data");
        assertThat(c.store().backend()).isEmpty();
    }

    @Test
    void yamlFileThenEnvThenCommandLineEachOverrideTheOneBefore() throws IOException {
        Path f = Files.writeString(dir.resolve("bklog.yaml"), """
                server:
                  port: 9300
                  host: 0.0.0.0
                data_dir: /var/lib/bklog
                store:
                  backend: elasticsearch
                  settings:
                    hosts: http://es:9200
                """);
        BklogConfig c = ConfigLoader.load(f, Map.of(
                "BKLOG_SERVER_PORT", "9400",
                "BKLOG_STORE_SETTINGS_REPOSITORY_PATH", "/backups",
                "PATH", "/usr/bin"), Map.of("data_dir", "/tmp/x"));
        assertThat(c.server().port()).isEqualTo(9400);
        assertThat(c.server().host()).isEqualTo("0.0.0.0");
        assertThat(c.dataDir()).isEqualTo("/tmp/x");
        assertThat(c.store().backend()).isEqualTo("elasticsearch");
        assertThat(c.store().settings()).containsEntry("hosts", "http://es:9200")
                .containsEntry("repository.path", "/backups");
    }

    @Test
    void everyKeyHasAnEnvironmentVariable() {
        assertThat(ConfigLoader.environmentVariables())
                .containsEntry("server.port", "BKLOG_SERVER_PORT")
                .containsEntry("server.host", "BKLOG_SERVER_HOST")
                .containsEntry("server.max_request_bytes", "BKLOG_SERVER_MAX_REQUEST_BYTES")
                .containsEntry("data_dir", "BKLOG_DATA_DIR")
                .containsEntry("store.backend", "BKLOG_STORE_BACKEND")
                .containsEntry("metadata.url", "BKLOG_METADATA_URL")
                .containsEntry("metadata.migrate_on_start", "BKLOG_METADATA_MIGRATE_ON_START");
    }

    @Test
    void metadataReplicaUrlReachesTheMetadataConfigAndNeedsAPrimary() throws IOException {
        Path f = Files.writeString(dir.resolve("bklog.yaml"), """
                metadata:
                  url: jdbc:mariadb://10.0.0.11:3306/bklog
                  replica_url: jdbc:mariadb://10.0.0.12:3306/bklog
                """);
        BklogConfig c = ConfigLoader.load(f, Map.of(), Map.of());
        assertThat(c.metadata().replicaUrl()).isEqualTo("jdbc:mariadb://10.0.0.12:3306/bklog");
        assertThat(io.bklog.server.BklogServer.metadataConfig(c).orElseThrow().replicaJdbcUrl())
                .isEqualTo("jdbc:mariadb://10.0.0.12:3306/bklog");
        assertThat(ConfigLoader.load(null, Map.of("BKLOG_METADATA_URL", "jdbc:mariadb://a:3306/bklog",
                "BKLOG_METADATA_REPLICA_URL", "jdbc:mariadb://b:3306/bklog"), Map.of()).metadata().replicaUrl())
                .isEqualTo("jdbc:mariadb://b:3306/bklog");

        BklogConfig noPrimary = ConfigLoader.load(null, Map.of("BKLOG_METADATA_REPLICA_URL",
                "jdbc:mariadb://b:3306/bklog"), Map.of());
        assertThatThrownBy(() -> io.bklog.server.BklogServer.metadataConfig(noPrimary))
                .isInstanceOf(ConfigException.class).hasMessageContaining("metadata.replica_url is set but metadata.url");
        BklogConfig same = ConfigLoader.load(null, Map.of("BKLOG_METADATA_URL", "jdbc:mariadb://a:3306/bklog",
                "BKLOG_METADATA_REPLICA_URL", "jdbc:mariadb://a:3306/bklog"), Map.of());
        assertThatThrownBy(() -> io.bklog.server.BklogServer.metadataConfig(same))
                .isInstanceOf(ConfigException.class).hasMessageContaining("same as the metadata url");
    }

    @Test
    void unknownYamlKeyIsRefusedNamingItAndTheKnownOnes() throws IOException {
        Path f = Files.writeString(dir.resolve("bklog.yaml"), "server:\n  prot: 9300\n");
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown config key 'server.prot'")
                .hasMessageContaining("port");
    }

    @Test
    void badValueNamesTheKeyAndTheValue() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("BKLOG_SERVER_PORT", "http"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("server.port")
                .hasMessageContaining("http");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("BKLOG_SERVER_PORT", "70000"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("server.port must be 0..65535, got 70000");
    }

    @Test
    void invalidYamlSaysWhere() throws IOException {
        Path f = Files.writeString(dir.resolve("bklog.yaml"), "server:\n  port: [9300\n");
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("is not valid YAML at line");
    }

    @Test
    void missingFileIsAnError() {
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("nope.yaml"), Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("does not exist");
    }

    @Test
    void severalStorageClustersWithTheirBackendsAndADefault() throws IOException {
        Path f = Files.writeString(dir.resolve("bklog.yaml"), """
                store:
                  clusters:
                    hot:
                      backend: elasticsearch
                      settings:
                        hosts: http://es-hot:9200
                    cold:
                      backend: elasticsearch
                      settings:
                        hosts: http://es-cold:9200
                        repository.name: cold_archive
                  default_cluster: hot
                """);
        BklogConfig c = ConfigLoader.load(f, Map.of(), Map.of());
        assertThat(c.store().clusters()).containsOnlyKeys("hot", "cold");
        assertThat(c.store().clusters().keySet()).containsExactly("hot", "cold");
        assertThat(c.store().clusters().get("cold").backend()).isEqualTo("elasticsearch");
        assertThat(c.store().clusters().get("cold").settingsOf("cold")).containsEntry("hosts", "http://es-cold:9200")
                .containsEntry("repository.name", "cold_archive").containsEntry("cluster", "cold");
        assertThat(c.store().defaultCluster()).isEqualTo("hot");
        assertThat(ConfigLoader.environmentVariables()).containsEntry("store.default_cluster",
                "BKLOG_STORE_DEFAULT_CLUSTER");
    }

    @Test
    void badStorageClusterConfigNamesTheProblem() throws IOException {
        Path noBackend = Files.writeString(dir.resolve("a.yaml"), """
                store:
                  clusters:
                    hot:
                      settings:
                        hosts: http://es:9200
                """);
        assertThatThrownBy(() -> ConfigLoader.load(noBackend, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("store.clusters.hot.backend is missing");
        Path badDefault = Files.writeString(dir.resolve("b.yaml"), """
                store:
                  clusters:
                    hot:
                      backend: memory
                  default_cluster: warm
                """);
        assertThatThrownBy(() -> ConfigLoader.load(badDefault, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("store.default_cluster 'warm'")
                .hasMessageContaining("[hot]");
        Path both = Files.writeString(dir.resolve("c.yaml"), """
                store:
                  backend: lucene
                  clusters:
                    hot:
                      backend: memory
                """);
        assertThatThrownBy(() -> ConfigLoader.load(both, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("either store.backend");
    }
}
