package io.bklog.server.ops;

import io.bklog.core.LogPlatform;
import io.bklog.core.schedule.TaskStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The backup drill through the platform's tasks ({@code backup}, {@code restore_backup}) on the embedded default:
 * the restore runs while its own status is kept in the metadata database it replaces.
 */
class BackupTasksDrillTest {
    @TempDir
    Path dataDir;
    @TempDir
    Path backupDir;

    private static TaskStatus awaitFinished(LogPlatform p, String id) {
        await().atMost(Duration.ofSeconds(120)).until(() -> p.operations().taskStatus(id)
                .map(TaskStatus::finished).orElse(false));
        return p.operations().taskStatus(id).orElseThrow();
    }

    @Test
    void backupTaskThenRestoreTaskIntoAWipedPlatformGivesTheSameSearches() throws IOException {
        Map<String, Object> before;
        String backupId;
        try (LogPlatform p = LogPlatform.builder().dataDir(dataDir).operations(o -> o.backupLocation(backupDir)).build()) {
            BackupDrill.createAndIngest(p, 3, 300);
            TaskStatus backup = awaitFinished(p, p.operations().submitBackup("full"));
            assertThat(backup.state()).as(backup.message()).isEqualTo(TaskStatus.State.DONE);
            backupId = backup.result();
            before = BackupDrill.observe(p);
        }
        deleteTree(dataDir); // a lost disk: the backup location alone holds what the restore needs

        try (LogPlatform p = LogPlatform.builder().dataDir(dataDir).operations(o -> o.backupLocation(backupDir)).build()) {
            assertThat(p.internals().metadata().indexSets().list()).isEmpty();
            String taskId = p.operations().submitBackupRestore(backupId);
            TaskStatus restored = awaitFinished(p, taskId);
            assertThat(restored.state()).as(restored.message()).isEqualTo(TaskStatus.State.DONE);
            assertThat(restored.progress()).isEqualTo(1.0);
            assertThat(restored.result()).startsWith("restored backup " + backupId);
            assertThat(BackupDrill.observe(p)).isEqualTo(before);
            // the backup task was dumped while it ran: it comes back failed, not running forever
            List<String> states = p.internals().metadata().asyncTasks().listByKind("backup", 10).stream()
                    .map(t -> t.status()).toList();
            assertThat(states).doesNotContain("running", "pending");
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
