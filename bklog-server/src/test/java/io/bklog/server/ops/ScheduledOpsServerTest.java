package io.bklog.server.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.LogPlatform;
import io.bklog.core.indexset.IndexSetSpec;
import io.bklog.core.meta.ArchiveConfig;
import io.bklog.core.meta.ArchivedSnapshot;
import io.bklog.core.meta.IndexSet;
import io.bklog.server.BklogServer;
import io.bklog.server.config.AuthConfig;
import io.bklog.server.config.BklogConfig;
import io.bklog.server.config.HealthConfig;
import io.bklog.server.config.MetadataSettings;
import io.bklog.server.config.SchedulerConfig;
import io.bklog.server.config.ServerConfig;
import io.bklog.server.config.StoreConfig;
import io.bklog.spi.IndexInfo;
import io.bklog.spi.IndexNames;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A server on the embedded default (Lucene, directory snapshot repository, H2) whose scheduler runs retention every
 * second: an expired index of an archived index set is snapshotted, then deleted, and the runs are in
 * {@code /api/v1/task_runs}; the archive is restored and dropped through the API; a backup is taken, listed and
 * verified as a task.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScheduledOpsServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final int OLD_DAYS = 30;

    @TempDir
    static Path dataDir;
    private BklogServer server;
    private String admin;
    private String oldIndex;
    private LocalDate oldDay;

    record Answer(int status, JsonNode body, String raw) {}

    @BeforeAll
    void start() throws Exception {
        SchedulerConfig scheduler = new SchedulerConfig(true, 2, "100ms", Map.of("ops.retention", "1s"));
        BklogConfig config = new BklogConfig(new ServerConfig("127.0.0.1", 0, 1024 * 1024), dataDir.toString(),
                StoreConfig.defaults(), MetadataSettings.defaults(), new AuthConfig(true), scheduler,
                new HealthConfig("2s"));
        // the data of a month ago is there before the server (and its beat) starts
        try (LogPlatform p = BklogServer.platform(config)) {
            p.indexSets().put("app", new IndexSetSpec(null, null, 7, null, null, null));
            IndexSet set = p.internals().metadata().indexSets().getByName("app");
            p.internals().metadata().archiveConfigs().create(ArchiveConfig.of(set.id(), 365,
                    p.internals().snapshotRepository().orElseThrow().name()));
            Instant old = p.clock().instant().minus(Duration.ofDays(OLD_DAYS));
            oldDay = old.atZone(ZoneOffset.UTC).toLocalDate();
            oldIndex = IndexNames.daily("app", oldDay, 0);
            List<Map<String, Object>> docs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                docs.add(Map.of("dtEventTimeStamp", old.toEpochMilli() + i, "log", "old line " + i));
            }
            docs.add(Map.of("dtEventTimeStamp", p.clock().millis(), "log", "new line"));
            assertThat(p.ingest().ingest("app", docs, true).accepted()).isEqualTo(4);
            assertThat(p.internals().store().listIndices("app").stream().map(IndexInfo::name)).contains(oldIndex);
        }
        server = BklogServer.start(config);
        admin = Files.readString(dataDir.resolve("admin-token")).strip();
    }

    @AfterAll
    void stop() {
        if (server != null) server.close();
    }

    private Answer call(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.uri() + path)).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = r.body().isEmpty() ? null : JSON.readTree(r.body());
        return new Answer(r.statusCode(), json, r.body());
    }

    private JsonNode awaitDone(String taskId) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            Answer s = call("GET", "/api/v1/tasks/status/" + taskId, null);
            assertThat(s.status()).as(s.raw()).isEqualTo(200);
            last[0] = s.body();
            String state = s.body().get("state").asText();
            assertThat(state).as(s.raw()).isNotEqualTo("failed");
            return state.equals("done");
        });
        return last[0];
    }

    private List<String> indices() {
        return server.platform().internals().store().listIndices("*").stream().map(IndexInfo::name).sorted().toList();
    }

    @Test
    void retentionArchivesThenDeletesTheExpiredIndexAndRecordsItsRuns() throws Exception {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> !indices().contains(oldIndex));
        assertThat(indices()).as("today's index is kept").contains(IndexNames.daily("app", LocalDate.now(ZoneOffset.UTC), 0));

        String snapshot = oldIndex + "_snapshot_" + LocalDate.now(ZoneOffset.UTC).format(DateTimeFormatter.BASIC_ISO_DATE);
        List<ArchivedSnapshot> archived = server.platform().internals().metadata().archivedSnapshots()
                .listCreatedSince(Instant.EPOCH);
        assertThat(archived).as("the index was snapshotted before it was deleted")
                .anyMatch(s -> s.snapshotName().equals(snapshot) && s.state().equals(ArchivedSnapshot.SUCCESS));
        assertThat(server.platform().internals().snapshotRepository().orElseThrow().get(snapshot)).isPresent()
                .get().satisfies(i -> assertThat(i.docCounts()).containsEntry(oldIndex, 3L));

        Answer runs = call("GET", "/api/v1/task_runs?task=ops.retention&limit=5", null);
        assertThat(runs.status()).as(runs.raw()).isEqualTo(200);
        assertThat(runs.body().get("runs").size()).isBetween(1, 5);
        JsonNode run = runs.body().get("runs").get(0);
        assertThat(run.get("task").asText()).isEqualTo("ops.retention");
        assertThat(run.get("outcome").asText()).isEqualTo("success");
        assertThat(run.get("run_id").asText()).startsWith("ops.retention@");
        assertThat(run.get("started_at").isNull()).isFalse();
        assertThat(run.get("duration_ms").asLong()).isNotNegative();

        Answer tasks = call("GET", "/api/v1/tasks", null);
        assertThat(tasks.status()).as(tasks.raw()).isEqualTo(200);
        JsonNode retention = find(tasks.body().get("tasks"), "ops.retention");
        assertThat(retention.get("type").asText()).isEqualTo("periodic");
        assertThat(retention.get("schedule").asText()).isEqualTo("every(PT1S)");
        assertThat(retention.get("last_run").get("outcome").asText()).isEqualTo("success");
        assertThat(find(tasks.body().get("tasks"), "ops.capacity_sync").get("schedule").asText())
                .isEqualTo("every(PT10M)");
        assertThat(find(tasks.body().get("tasks"), "backup").get("type").asText()).isEqualTo("async");
        assertThat(tasks.body().get("beat_active").asBoolean()).isTrue();

        Answer health = call("GET", "/healthz?include=scheduler", null);
        assertThat(health.status()).as(health.raw()).isEqualTo(200);
        assertThat(health.raw()).contains("beat_tick_age_seconds", "live_workers", "failed_runs_last_hour");

        // the archive is restored through the API as a task, searchable as restore_*, and dropped on request
        String from = oldDay.atStartOfDay(ZoneOffset.UTC).toInstant().toString();
        String to = oldDay.atStartOfDay(ZoneOffset.UTC).plusHours(23).toInstant().toString();
        Answer restore = call("POST", "/api/v1/index_sets/app/restores",
                "{\"start_time\": \"" + from + "\", \"end_time\": \"" + to + "\", \"expire_days\": 1}");
        assertThat(restore.status()).as(restore.raw()).isEqualTo(202);
        assertThat(restore.body().get("task").asText()).isEqualTo("archive_restore");
        long restoreId = restore.body().get("restore").get("id").asLong();
        JsonNode done = awaitDone(restore.body().get("task_id").asText());
        assertThat(done.get("progress").asDouble()).isEqualTo(1.0);
        assertThat(done.get("result").asText()).isEqualTo("restored 3 docs");
        assertThat(indices()).contains(IndexNames.RESTORE_PREFIX + oldIndex);
        Answer restores = call("GET", "/api/v1/restores", null);
        JsonNode job = restores.body().get("restores").get(0);
        assertThat(job.get("id").asLong()).isEqualTo(restoreId);
        assertThat(job.get("status").asText()).isEqualTo("done");
        assertThat(job.get("complete_doc_count").asLong()).isEqualTo(3);
        Answer dropped = call("DELETE", "/api/v1/restores/" + restoreId, null);
        assertThat(dropped.status()).as(dropped.raw()).isEqualTo(200);
        assertThat(dropped.body().get("deleted_indices").get(0).asText()).isEqualTo(IndexNames.RESTORE_PREFIX + oldIndex);
        assertThat(indices()).doesNotContain(IndexNames.RESTORE_PREFIX + oldIndex);

        Answer capacity = call("GET", "/api/v1/index_sets/app/capacity", null);
        assertThat(capacity.status()).as(capacity.raw()).isEqualTo(200);
        assertThat(capacity.body().get("index_set").asText()).isEqualTo("app");
        assertThat(capacity.body().has("doc_count")).isTrue();
    }

    @Test
    void backupRunsAsATaskWithProgressThenIsListedAndVerified() throws Exception {
        Answer queued = call("POST", "/api/v1/backups", "{\"kind\": \"full\"}");
        assertThat(queued.status()).as(queued.raw()).isEqualTo(202);
        assertThat(queued.body().get("task").asText()).isEqualTo("backup");
        String taskId = queued.body().get("task_id").asText();
        assertThat(queued.body().get("status_url").asText()).isEqualTo("/api/v1/tasks/status/" + taskId);

        JsonNode done = awaitDone(taskId);
        assertThat(done.get("progress").asDouble()).isEqualTo(1.0);
        String backupId = done.get("result").asText();
        assertThat(backupId).startsWith("full-");

        Answer list = call("GET", "/api/v1/backups", null);
        assertThat(list.status()).as(list.raw()).isEqualTo(200);
        JsonNode listed = find(list.body().get("backups"), backupId);
        assertThat(listed.get("kind").asText()).isEqualTo("full");
        assertThat(listed.get("index_count").asInt()).isPositive();

        Answer verified = call("POST", "/api/v1/backups/" + backupId + "/verify", null);
        assertThat(verified.status()).as(verified.raw()).isEqualTo(200);
        assertThat(verified.body().get("ok").asBoolean()).as(verified.raw()).isTrue();

        Answer runs = call("GET", "/api/v1/task_runs?task=backup", null);
        assertThat(runs.body().get("runs").get(0).get("run_id").asText()).isEqualTo(taskId);
        assertThat(runs.body().get("runs").get(0).get("outcome").asText()).isEqualTo("success");
    }

    @Test
    void adHocRunOfAPeriodicTaskIsQueuedAndDone() throws Exception {
        Answer run = call("POST", "/api/v1/tasks/ops.capacity_sync/run", null);
        assertThat(run.status()).as(run.raw()).isEqualTo(202);
        JsonNode done = awaitDone(run.body().get("task_id").asText());
        assertThat(done.get("task").asText()).isEqualTo("ops.capacity_sync");
        assertThat(done.get("result").asText()).startsWith("index_sets=");
    }

    @Test
    void badRequestsAreRefusedNamingTheProblem() throws Exception {
        Answer kind = call("POST", "/api/v1/backups", "{\"kind\": \"weekly\"}");
        assertThat(kind.status()).as(kind.raw()).isEqualTo(400);
        assertThat(kind.body().get("error").asText()).isEqualTo("bad_request");
        assertThat(kind.body().get("message").asText()).contains("'full' or 'incremental'", "weekly");

        Answer unknownTask = call("POST", "/api/v1/tasks/no_such_task/run", null);
        assertThat(unknownTask.status()).isEqualTo(404);
        assertThat(unknownTask.body().get("error").asText()).isEqualTo("task_not_found");
        assertThat(unknownTask.body().get("message").asText()).contains("ops.retention");

        Answer unknownStatus = call("GET", "/api/v1/tasks/status/nope", null);
        assertThat(unknownStatus.status()).isEqualTo(404);
        assertThat(unknownStatus.body().get("error").asText()).isEqualTo("task_not_found");

        Answer limit = call("GET", "/api/v1/task_runs?limit=0", null);
        assertThat(limit.status()).isEqualTo(400);
        assertThat(limit.body().get("field").asText()).isEqualTo("limit");

        assertThat(call("PUT", "/api/v1/index_sets/plain", "{}").status()).isEqualTo(201);
        Answer noArchive = call("POST", "/api/v1/index_sets/plain/restores",
                "{\"start_time\": \"2026-01-01T00:00:00Z\", \"end_time\": \"2026-01-02T00:00:00Z\"}");
        assertThat(noArchive.status()).as(noArchive.raw()).isEqualTo(409);
        assertThat(noArchive.body().get("error").asText()).isEqualTo("operation_refused");
        assertThat(noArchive.body().get("message").asText()).contains("has no archive config");

        Answer noTime = call("POST", "/api/v1/index_sets/app/restores", "{\"end_time\": 1}");
        assertThat(noTime.status()).isEqualTo(400);
        assertThat(noTime.body().get("field").asText()).isEqualTo("start_time");

        Answer noBackup = call("POST", "/api/v1/backups/full-19990101-000000-000/verify", null);
        assertThat(noBackup.status()).as(noBackup.raw()).isEqualTo(404);
        assertThat(noBackup.body().get("error").asText()).isEqualTo("operation_not_found");

        Answer noRestore = call("DELETE", "/api/v1/restores/99999", null);
        assertThat(noRestore.status()).as(noRestore.raw()).isEqualTo(404);

        Answer token = call("POST", "/api/v1/tokens",
                "{\"name\": \"reader\", \"space_uid\": \"default\", \"roles\": [\"viewer\"]}");
        assertThat(token.status()).as(token.raw()).isEqualTo(201);
        String admin0 = admin;
        admin = token.body().get("token").asText();
        try {
            for (String[] r : new String[][] {{"GET", "/api/v1/tasks"}, {"POST", "/api/v1/backups"},
                    {"GET", "/api/v1/task_runs"}, {"GET", "/api/v1/index_sets/app/capacity"}}) {
                Answer refused = call(r[0], r[1], null);
                assertThat(refused.status()).as(r[1] + " " + refused.raw()).isEqualTo(403);
                assertThat(refused.body().get("message").asText()).contains("'admin'");
            }
        } finally {
            admin = admin0;
        }
    }

    private static JsonNode find(JsonNode array, String nameOrId) {
        for (JsonNode n : array) {
            JsonNode key = n.has("name") ? n.get("name") : n.get("id");
            if (key.asText().equals(nameOrId)) return n;
        }
        throw new AssertionError(nameOrId + " not in " + array);
    }
}
