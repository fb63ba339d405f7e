package io.bklog.server.health;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.server.cli.BklogCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code bklog healthz}: the same report as {@code /healthz}, exit 0 when healthy, 1 when not, 2 on bad input. */
class HealthzCommandTest {

    private record Run(int exit, String out, String err, Duration took) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = BklogCommand.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        long start = System.nanoTime();
        int exit = cmd.execute(args);
        return new Run(exit, out.toString(), err.toString(), Duration.ofNanos(System.nanoTime() - start));
    }

    @Test
    void healthyEmbeddedPlatformPrintsKubernetesLinesAndExitsZero(@TempDir Path dir) {
        Run r = run("healthz", "--data-dir", dir.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out().lines().toList()).startsWith("health check success", "[+]mysql ok", "[+]scheduler ok",
                "[+]alerting ok", "[+]service ok");
    }

    @Test
    void jsonFormatHasBklogKeysAndIncludeSelects(@TempDir Path dir) throws Exception {
        Run r = run("healthz", "--data-dir", dir.toString(), "--format", "json", "--include", "service");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode body = new ObjectMapper().readTree(r.out());
        assertThat(body.get("status").asBoolean()).isTrue();
        assertThat(body.get("data")).hasSize(1);
        assertThat(body.get("data").get(0).get("namespace").asText()).isEqualTo("service");
        assertThat(body.get("data").get(0).get("data").get(0).has("metric_name")).isTrue();
    }

    @Test
    void excludeDropsANamespace(@TempDir Path dir) {
        Run r = run("healthz", "--data-dir", dir.toString(), "--exclude", "mysql");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("[+]service ok").doesNotContain("mysql");
    }

    @Test
    void anUnknownIncludedNamespaceExitsOne(@TempDir Path dir) {
        Run r = run("healthz", "--data-dir", dir.toString(), "--include", "service,redis");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("health check failed, please check these namespace: redis")
                .contains("[-]redis failed: unsupported namespace redis");
    }

    @Test
    void anUnreachableMetadataDatabaseIsReportedAndExitsOne(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("bklog.yaml");
        Files.writeString(config, "data_dir: " + dir.resolve("data") + "\nmetadata:\n  url: jdbc:mariadb://127.0.0.1:"
                + Http.freePort() + "/test\n  user: root\n");
        Run r = run("healthz", "--config", config.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.out()).contains("[-]platform failed: cannot start the platform: ");
        assertThat(r.took()).isLessThan(Duration.ofSeconds(30));
    }

    @Test
    void anUnknownFormatIsABadInputExitTwo(@TempDir Path dir) {
        Run r = run("healthz", "--data-dir", dir.toString(), "--format", "yaml");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("unknown --format 'yaml'");
    }
}
