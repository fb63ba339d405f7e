package io.bklog.server.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

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
