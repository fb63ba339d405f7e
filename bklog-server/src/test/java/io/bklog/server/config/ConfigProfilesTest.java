package io.bklog.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.server.BklogServer;
import io.bklog.server.cli.BklogCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Configuration per environment: {@code bklog.yaml} + {@code bklog-<profile>.yaml}, then sources, then
 * {@code BKLOG_*}; {@code bklog config check}; {@code GET /api/v1/config} with secrets redacted.
 */
class ConfigProfilesTest {
    @TempDir
    Path dir;

    private Path write(String name, String yaml) throws IOException {
        return Files.writeString(dir.resolve(name), yaml);
    }

    /** A key-value store as a {@link ConfigSource} (what a Consul source would return). */
    private static ConfigSource source(Map<String, String> keys) {
        return new ConfigSource() {
            @Override public String name() { return "kv"; }
            @Override public Map<String, String> load(String profile) { return keys; }
        };
    }

    @Test
    void archiveAndExportStoresTakeTheirSettingsFromFileAndEnvironmentButNeverASecretFromTheFile()
            throws IOException {
        Path secret = write("archive.secret", "archive-secret\n");
        Path base = write("bklog.yaml", "archive:\n  store: s3\n  settings:\n    bucket: archives\n"
                + "    sse: aws:kms\n    secret_key_file: " + secret + "\nexport:\n  expiry: 2h\n  store: dir\n"
                + "  settings:\n    path: /mnt/shared/exports\n");

        BklogConfig config = ConfigLoader.load(base, null, List.of(), Map.of("BKLOG_EXPORT_SETTINGS_SECRET_KEY",
                "export-secret", "BKLOG_ARCHIVE_SETTINGS_ACCESS_KEY", "AKIA1"), Map.of());

        assertThat(config.archive().store()).isEqualTo("s3");
        assertThat(config.archive().resolvedSettings()).containsEntry("bucket", "archives")
                .containsEntry("sse", "aws:kms").containsEntry("access_key", "AKIA1")
                .containsEntry("secret_key", "archive-secret");
        assertThat(config.export().store()).isEqualTo("dir");
        assertThat(config.export().expiry()).isEqualTo("2h");
        assertThat(config.export().resolvedSettings()).containsEntry("path", "/mnt/shared/exports")
                .containsEntry("secret_key", "export-secret");

        for (String section : List.of("archive", "export")) {
            Path bad = write("bad-" + section + ".yaml", section + ":\n  store: s3\n  settings:\n"
                    + "    secret_key: in-the-file\n");
            assertThatThrownBy(() -> ConfigLoader.load(bad, null, List.of(), Map.of(), Map.of()))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining(section + ".settings.secret_key").hasMessageContaining("is a secret")
                    .hasMessageContaining("BKLOG_" + section.toUpperCase(java.util.Locale.ROOT)
                            + "_SETTINGS_SECRET_KEY");
        }
    }

    @Test
    void theProfileFileOverridesTheBaseFileAndSourcesAndEnvironmentOverrideBoth() throws IOException {
        Path base = write("bklog.yaml", "server:\n  port: 9281\n  host: 0.0.0.0\ndata_dir: /srv/base\n"
                + "scheduler:\n  workers: 4\n");
        write("bklog-prod.yaml", "server:\n  port: 9300\ndata_dir: /srv/prod\n");

        BklogConfig prod = ConfigLoader.load(base, "prod", List.of(source(Map.of("scheduler.workers", "8",
                "data_dir", "/srv/kv"))), Map.of("BKLOG_DATA_DIR", "/srv/env"), Map.of());

        assertThat(prod.server().port()).isEqualTo(9300);
        assertThat(prod.server().host()).isEqualTo("0.0.0.0");
        assertThat(prod.scheduler().workers()).isEqualTo(8);
        assertThat(prod.dataDir()).isEqualTo("/srv/env");
        assertThat(ConfigLoader.load(base, null, List.of(), Map.of("BKLOG_PROFILE", "prod"), Map.of()).server().port())
                .as("BKLOG_PROFILE names the profile too").isEqualTo(9300);
        assertThat(ConfigLoader.load(base, null, List.of(), Map.of(), Map.of()).server().port()).isEqualTo(9281);
        assertThatThrownBy(() -> ConfigLoader.load(base, "stag", List.of(), Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("bklog-stag.yaml").hasMessageContaining("does not exist");
        assertThatThrownBy(() -> ConfigLoader.load(base, "../x", List.of(), Map.of(), Map.of()))
                .hasMessageContaining("not a valid name");
    }

    @Test
    void checkNamesEveryUnknownOrInvalidKeyWithItsPathOriginAndASuggestion() throws IOException {
        Path base = write("bklog.yaml", "server:\n  prot: 9281\nbakup:\n  keep_full: 2\n");
        write("bklog-dev.yaml", "scheduler:\n  workers: many\n");

        List<ConfigLoader.Problem> problems = ConfigLoader.check(base, "dev", List.of(),
                Map.of("BKLOG_SERVR_PORT", "1"), Map.of());

        assertThat(problems).extracting(Object::toString).containsExactlyInAnyOrder(
                "server.prot (file " + base + "): unknown key; did you mean server.port?",
                "bakup (file " + base + "): unknown key; did you mean backup?",
                "BKLOG_SERVR_PORT (environment): names no config key; did you mean BKLOG_SERVER_PORT?",
                problems.stream().filter(p -> p.path().equals("scheduler.workers")).findFirst().orElseThrow().toString());
        ConfigLoader.Problem bad = problems.stream().filter(p -> p.path().equals("scheduler.workers")).findFirst()
                .orElseThrow();
        assertThat(bad.origin()).isEqualTo("file " + dir.resolve("bklog-dev.yaml"));
        assertThat(bad.message()).startsWith("bad value").contains("many");
        assertThat(bad.suggestion()).isEqualTo("the default is 2");

        write("ok.yaml", "server:\n  port: 9281\n");
        assertThat(ConfigLoader.check(dir.resolve("ok.yaml"), null, List.of(), Map.of(), Map.of())).isEmpty();
    }

    @Test
    void configCheckCommandExitsOneListingTheProblemsAndZeroWhenValid() throws IOException {
        Path base = write("bklog.yaml", "server:\n  port: 9281\n");
        write("bklog-stag.yaml", "servr:\n  port: 1\n");

        StringWriter out = new StringWriter();
        CommandLine cmd = BklogCommand.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        assertThat(cmd.execute("config", "check", "--config", base.toString(), "--profile", "stag")).isEqualTo(1);
        assertThat(out.toString()).contains("1 config problem:").contains("servr (file ")
                .contains("did you mean server?");

        StringWriter ok = new StringWriter();
        CommandLine cmd2 = BklogCommand.commandLine();
        cmd2.setOut(new PrintWriter(ok, true));
        assertThat(cmd2.execute("config", "check", "--config", base.toString())).isZero();
        assertThat(ok.toString()).contains("config OK");
    }

    @Test
    void effectiveConfigIsServedToPlatformAdminsWithSecretsRedacted() throws Exception {
        Path secret = write("s3.secret", "s3-secret-value\n");
        Path base = write("bklog.yaml", "server:\n  host: 127.0.0.1\n  port: 0\ndata_dir: " + dir.resolve("data")
                + "\nmetadata:\n  password: db-secret-value\nbackup:\n  keep_full: 3\n  settings:\n"
                + "    secret_key_file: " + secret + "\n");
        BklogConfig config = ConfigLoader.load(base, null, List.of(), Map.of("BKLOG_BACKUP_SETTINGS_SECRET_KEY",
                "env-secret-value"), Map.of());
        HttpClient http = HttpClient.newHttpClient();
        ObjectMapper json = new ObjectMapper();
        try (BklogServer server = BklogServer.start(config, base)) {
            String admin = Files.readString(dir.resolve("data").resolve("admin-token")).strip();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.uri() + "/api/v1/config"))
                    .header("Authorization", "Bearer " + admin).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode body = json.readTree(r.body());
            assertThat(body.at("/backup/keep_full").asInt()).isEqualTo(3);
            assertThat(body.at("/metadata/password").asText()).isEqualTo("***");
            assertThat(body.at("/backup/settings/secret_key").asText()).isEqualTo("***");
            assertThat(r.body()).doesNotContain("db-secret-value").doesNotContain("env-secret-value");

            HttpResponse<String> none = http.send(HttpRequest.newBuilder(URI.create(server.uri() + "/api/v1/config"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(none.statusCode()).isEqualTo(401);

            HttpResponse<String> space = http.send(HttpRequest.newBuilder(URI.create(server.uri() + "/api/v1/spaces"))
                    .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"space_uid\": \"team_b\", \"name\": \"B\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(space.statusCode()).as(space.body()).isEqualTo(201);
            HttpResponse<String> tok = http.send(HttpRequest.newBuilder(URI.create(server.uri() + "/api/v1/tokens"))
                    .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"b-admin\", \"space_uid\": \"team_b\","
                            + " \"roles\": [\"admin\"]}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(tok.statusCode()).as(tok.body()).isEqualTo(201);
            String spaceAdmin = json.readTree(tok.body()).get("token").asText();
            HttpResponse<String> forbidden = http.send(HttpRequest.newBuilder(URI.create(server.uri()
                    + "/api/v1/config")).header("Authorization", "Bearer " + spaceAdmin).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(forbidden.statusCode()).isEqualTo(403);
            assertThat(forbidden.body()).contains("forbidden").contains("platform admin");
        }
    }

    @Test
    void secretsInsideValuesAndListsAreRedactedToo() throws Exception {
        com.fasterxml.jackson.databind.JsonNode tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree("""
                {"metadata": {"url": "jdbc:mariadb://db:3306/bklog?user=bk&password=s3cret&useSsl=true"},
                 "backends": {"redis": {"uri": "redis://:pw123@redis:6379/0"},
                   "kafka": {"client.sasl.jaas.config": "PlainLoginModule required username=\\"u\\" password=\\"k4fka\\";",
                             "hosts": ["https://admin:adm1n@es1:9200", "https://es2:9200"]}},
                 "backup": {"settings": {"access_key": "AKIA123"}}, "auth": {"enabled": true}}""");
        String out = ConfigLoader.redact(tree, false).toString();
        assertThat(out).doesNotContain("s3cret", "pw123", "k4fka", "adm1n", "AKIA123")
                .contains("useSsl=true", "redis:6379", "https://es2:9200", "\"enabled\":true");
    }
}
