package io.bklog.server.ops;

import io.bklog.core.LogPlatform;
import io.bklog.server.cli.BklogCommand;
import io.bklog.server.config.ConfigException;
import io.bklog.server.config.ConfigLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code bklog backup|restore} on the embedded default, end to end through the command line; the drill
 * ({@code bklog backup --full --backup-dir B}, the data dir lost, {@code bklog restore ID --backup-dir B}); retention;
 * an S3 location that is not reachable; secrets in the config.
 */
class BackupCommandsTest {
    @TempDir
    Path dataDir;
    @TempDir
    Path backupDir;
    @TempDir
    Path etc;

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

    @Test
    void backupLoseTheDataDirRestoreFromTheBackupDirAlone() throws IOException {
        Map<String, Object> before;
        try (LogPlatform p = LogPlatform.builder().dataDir(dataDir).build()) {
            BackupDrill.createAndIngest(p, 2, 100);
            before = BackupDrill.observe(p);
        }
        Run full = run("backup", "--full", "--backup-dir", backupDir.toString());
        assertThat(full.exit()).as(full.err()).isZero();
        String fullId = id(full);
        Run second = run("backup", "--full", "--backup-dir", backupDir.toString());
        assertThat(second.exit()).as(second.err()).isZero();
        String secondId = id(second);

        deleteTree(dataDir);

        Run verify = run("backup", "verify", secondId, "--backup-dir", backupDir.toString());
        assertThat(verify.out()).as(verify.err()).contains("backup " + secondId + ": OK");
        Run restore = run("restore", secondId, "--backup-dir", backupDir.toString());
        assertThat(restore.exit()).as(restore.err()).isZero();
        assertThat(restore.out()).contains("4 indices, 400 docs");
        try (LogPlatform p = LogPlatform.builder().dataDir(dataDir).build()) {
            assertThat(BackupDrill.observe(p)).isEqualTo(before);
        }

        Run prune = run("backup", "prune", "--keep", "1", "--backup-dir", backupDir.toString());
        assertThat(prune.exit()).as(prune.err()).isZero();
        assertThat(prune.out()).contains("deleted backup " + fullId).contains("1 backups deleted, 1 kept");
        assertThat(backupDir.resolve(fullId)).doesNotExist();
    }

    @Test
    void anUnreachableS3LocationFailsClearlyAndWritesNothing() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Files.writeString(etc.resolve("s3.secret"), "the-secret\n");
        Path config = Files.writeString(etc.resolve("bklog.yaml"), "backup:\n  settings:\n"
                + "    endpoint: http://127.0.0.1:" + closedPort + "\n    access_key: bklog\n"
                + "    secret_key_file: " + etc.resolve("s3.secret") + "\n    timeout: 5s\n    max_attempts: 1\n");
        try (LogPlatform p = LogPlatform.builder().dataDir(dataDir).build()) {
            BackupDrill.createAndIngest(p, 1, 10);
        }

        Run r = run("backup", "--full", "--config", config.toString(), "--backup-url", "s3://bklog-backups/prod");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("s3://bklog-backups/prod/").contains("nothing was written")
                .contains("is the server up");
        assertThat(dataDir.resolve("backup-staging")).doesNotExist();
    }

    @Test
    void aSecretWrittenInTheConfigFileIsRefusedNamingWhereItMayComeFrom() throws IOException {
        Path config = Files.writeString(etc.resolve("bklog.yaml"), "backup:\n  store: s3\n  settings:\n"
                + "    bucket: b\n    secret_key: oops\n");
        assertThatThrownBy(() -> ConfigLoader.load(config, Map.of(), Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("backup.settings.secret_key").hasMessageContaining("secret_key_file")
                .hasMessageContaining("BKLOG_BACKUP_SETTINGS_SECRET_KEY");
        var loaded = ConfigLoader.load(null, Map.of("BKLOG_BACKUP_SETTINGS_SECRET_KEY", "from-env",
                "BKLOG_BACKUP_STORE", "s3"), Map.of());
        assertThat(loaded.backup().store()).isEqualTo("s3");
        assertThat(loaded.backup().resolvedSettings()).containsEntry("secret_key", "from-env");
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
