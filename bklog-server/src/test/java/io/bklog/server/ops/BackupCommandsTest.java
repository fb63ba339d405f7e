package io.bklog.server.ops;

import io.bklog.core.LogPlatform;
import io.bklog.server.cli.BklogCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code bklog backup|restore} on the embedded default, end to end through the command line. */
class BackupCommandsTest {
    @TempDir
    Path dataDir;

    private record Run(int exit, String out, String err) {}

    private Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = BklogCommand.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        String[] all = Stream.concat(Stream.of(args), Stream.of("--data-dir", dataDir.toString())).toArray(String[]::new);
        return new Run(cmd.execute(all), out.toString(), err.toString());
    }

    private static String id(Run r) {
        Matcher m = Pattern.compile("backup ((?:full|incremental)-[0-9-]+) ").matcher(r.out());
        assertThat(m.find()).as("backup id in: " + r.out()).isTrue();
        return m.group(1);
    }

    @Test
    void backupListVerifyRestoreFromTheCommandLine() throws IOException {
        Map<String, Object> before;
        try (LogPlatform p = LogPlatform.builder().dataDir(dataDir).build()) {
            BackupDrill.createAndIngest(p, 2, 100);
            before = BackupDrill.observe(p);
        }
        Run full = run("backup", "--full");
        assertThat(full.exit()).as(full.err()).isZero();
        assertThat(full.err()).as("progress goes to stderr").contains("[100%]");
        assertThat(full.out()).contains("4 indices, 400 docs").doesNotContain("[100%]");
        String fullId = id(full);

        Run inc = run("backup", "--incremental");
        assertThat(inc.exit()).as(inc.err()).isZero();
        String incId = id(inc);
        assertThat(inc.out()).contains("parent " + fullId);

        Run list = run("backup", "list");
        assertThat(list.out()).contains(fullId).contains(incId);
        assertThat(run("backup", "verify", incId).out()).contains("backup " + incId + ": OK");

        Run refused = run("restore", incId);
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.err()).contains("needs an empty platform");

        try (LogPlatform p = LogPlatform.builder().dataDir(dataDir).build()) {
            p.internals().store().deleteIndices(p.internals().store().listIndices("*").stream().map(i -> i.name()).toList());
        }
        deleteTree(dataDir.resolve("meta"));
        Run restore = run("restore", incId);
        assertThat(restore.exit()).as(restore.err()).isZero();
        assertThat(restore.err()).contains("[  0%] verifying").contains("[100%]");
        assertThat(restore.out()).contains("4 indices, 400 docs");
        try (LogPlatform p = LogPlatform.builder().dataDir(dataDir).build()) {
            assertThat(BackupDrill.observe(p)).isEqualTo(before);
        }

        Files.writeString(dataDir.resolve("backups").resolve(fullId).resolve("metadata.jsonl"), "x",
                StandardOpenOption.APPEND);
        Run bad = run("backup", "verify", fullId);
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.out()).contains("FAILED").contains("metadata.jsonl checksum");
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
