package io.bklog.server.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class BklogCommandTest {

    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = BklogCommand.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int exit = cmd.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    /** Every command path of the tree: {@code [serve]}, {@code [backup, list]}, ... */
    private static List<List<String>> commandPaths(CommandLine cmd, List<String> prefix) {
        List<List<String>> out = new ArrayList<>();
        for (Map.Entry<String, CommandLine> e : cmd.getSubcommands().entrySet()) {
            if (e.getKey().equals("help")) continue;
            List<String> path = new ArrayList<>(prefix);
            path.add(e.getKey());
            out.add(path);
            out.addAll(commandPaths(e.getValue(), path));
        }
        return out;
    }

    @Test
    void everyCommandAnswersHelpAndDashHWithItsUsageAndExitZero() {
        List<List<String>> paths = commandPaths(BklogCommand.commandLine(), List.of());
        assertThat(paths).contains(List.of("serve"), List.of("backup", "list"), List.of("backup", "verify"),
                List.of("restore"), List.of("upgrade"), List.of("healthz"), List.of("migrate"), List.of("version"));
        paths.add(List.of());
        for (List<String> path : paths) {
            for (String flag : List.of("--help", "-h")) {
                List<String> args = new ArrayList<>(path);
                args.add(flag);
                Run r = run(args.toArray(String[]::new));
                assertThat(r.exit()).as("exit of bklog %s", String.join(" ", args)).isZero();
                assertThat(r.out()).as("usage of bklog %s", String.join(" ", args))
                        .startsWith("Usage: bklog" + (path.isEmpty() ? "" : " " + String.join(" ", path)));
                assertThat(r.err()).as("stderr of bklog %s", String.join(" ", args)).isEmpty();
            }
        }
    }

    @Test
    void aOneShotCommandPrintsItsResultOnStdoutAndItsLogsOnStderr(@TempDir Path dir) throws Exception {
        // the server jar's own logging config (not the tests' logback-test.xml), in a JVM of its own
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dlogback.configurationFile=logback.xml", "-cp", System.getProperty("java.class.path"),
                BklogCommand.class.getName(), "backup", "list", "--data-dir", dir.toString())
                .redirectError(dir.resolve("stderr.txt").toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        String err = Files.readString(dir.resolve("stderr.txt"));
        assertThat(p.exitValue()).as(err).isZero();
        assertThat(out.lines().toList()).as("stdout is the table alone").hasSize(1);
        assertThat(out).startsWith("ID ").contains("KIND").contains("DOCS").doesNotContain("level=");
        assertThat(err).contains("level=INFO");
    }

    @Test
    void deadLettersAreListedAndReplayedFromTheCommandLine(@TempDir Path dir) {
        try (io.bklog.core.LogPlatform p = io.bklog.core.LogPlatform.builder().dataDir(dir).build()) {
            p.indexSets().put("web", io.bklog.core.indexset.IndexSetSpec.withFields(List.of(
                    io.bklog.spi.FieldSpec.of("log", io.bklog.spi.FieldType.TEXT),
                    io.bklog.spi.FieldSpec.of("client_ip", io.bklog.spi.FieldType.IP))));
            var r = p.pipeline().ingest("web", List.of(Map.of("log", "fine", "client_ip", "10.0.0.1"),
                    Map.of("log", "refused", "client_ip", "999.1.1.1")), true);
            assertThat(r.rejected()).isEqualTo(1);
        }
        Run list = run("dead-letters", "list", "web", "--data-dir", dir.toString());
        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(list.out()).contains("999.1.1.1").contains("refused").contains("1 dead letters waiting in web");
        Run replay = run("dead-letters", "replay", "web", "--data-dir", dir.toString());
        assertThat(replay.exit()).as("still refused: exit 1").isEqualTo(1);
        assertThat(replay.out()).contains("replayed 1 dead letters of web: 0 stored, 1 refused again");
        Run unknown = run("dead-letters", "list", "nosuch", "--data-dir", dir.toString());
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("nosuch");
    }

    @Test
    void alertRulesAreListedWithTheirStates(@TempDir Path dir) {
        try (io.bklog.core.LogPlatform p = io.bklog.core.LogPlatform.builder().dataDir(dir).build()) {
            p.indexSets().put("web", io.bklog.core.indexset.IndexSetSpec.defaults());
            p.alerts().putChannel("default", "ops", "webhook", Map.of("url", "http://203.0.113.9:9/hook"));
            p.alerts().createRule(io.bklog.core.alert.AlertCaller.library("default"),
                    new io.bklog.core.alert.AlertRule(null, null, "web errors", "web", "error", null,
                            io.bklog.core.alert.AlertCondition.countAbove(10), null, null, null, null, null, null,
                            null, null, null, null, List.of("ops"), null, null, null, null, null, null));
        }
        Run list = run("alerts", "list", "--data-dir", dir.toString());
        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(list.out()).startsWith("ID ").contains("web errors").contains("count_above 10.0")
                .contains("ok").contains("60s/60s").contains("ops").contains("1 alert rules");
        Run other = run("alerts", "list", "--space", "nosuch", "--data-dir", dir.toString());
        assertThat(other.out()).contains("0 alert rules");
    }

    @Test
    void versionPrintsTheBuildVersion() {
        Run r = run("version");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).startsWith("bklog 0.").contains("(java 17");
    }

    @Test
    void migrateBringsTheEmbeddedSchemaUpToDateOnceThenDoesNothing(@TempDir Path dir) {
        Run first = run("migrate", "--data-dir", dir.toString());
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.out()).contains("schema empty -> ").containsPattern("\\(\\d+ migrations applied\\)");
        assertThat(Files.exists(dir.resolve("meta"))).isTrue();

        Run second = run("migrate", "--data-dir", dir.toString());
        assertThat(second.out()).contains("(0 migrations applied)");
    }

    @Test
    void aBadConfigFileStopsWithOneLineAndExitCode2(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("bklog.yaml"), "store:\n  backnd: lucene\n");
        Run r = run("serve", "--config", f.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).startsWith("bklog: unknown config key 'store.backnd'");
    }

    @Test
    void anUnknownRoleStopsServeNamingTheKnownRoles(@TempDir Path dir) throws Exception {
        Run r = run("serve", "--data-dir", dir.toString(), "--port", "0", "--roles", "api,injest");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).startsWith("bklog: bad config value at 'server").contains("unknown role 'injest'")
                .contains("known roles: all, api, ingest, collect, beat, worker");
    }

    @Test
    void aPortInUseStopsServeWithOneLineSayingWhatToDo(@TempDir Path dir) throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Run r = run("serve", "--data-dir", dir.toString(), "--port", String.valueOf(taken.getLocalPort()));
            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.err()).startsWith("bklog: cannot listen: ").contains("--port");
        }
    }

    @Test
    void anUnknownBackendStopsServeListingTheKnownOnes(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("bklog.yaml"), "store:\n  backend: cassandra\n");
        Run r = run("serve", "--config", f.toString(), "--data-dir", dir.resolve("data").toString(), "--port", "0");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("no backend named 'cassandra'; on the classpath: ")
                .contains("elasticsearch").contains("lucene").contains("memory").contains("redis");
    }
}
