package io.bklog.redis;

import io.bklog.core.LogPlatform;
import io.bklog.core.schedule.AsyncTask;
import io.bklog.core.schedule.SchedulerSettings;
import io.bklog.core.schedule.TaskRun;
import io.bklog.core.schedule.TaskStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two platforms as two instances of one deployment: Redis for the task broker and lock (a key prefix of this test),
 * one MariaDB database for the metadata. The API-only instance queues, the worker instance runs, and the first reads
 * the status and the run record the second wrote.
 */
class RedisTwoPlatformsIT {
    private static RedisFixture redis;
    private static MariaDbDatabase database;

    @BeforeAll
    static void start() {
        redis = new RedisFixture("two-platforms");
        database = new MariaDbDatabase();
    }

    @AfterAll
    static void stop() {
        if (database != null) database.close();
        if (redis != null) redis.close();
    }


    private static LogPlatform instance(String name, SchedulerSettings roles) {
        return LogPlatform.builder().backend("memory", Map.of())
                .backend("redis", Map.of("uri", RedisFixture.URI, "prefix", redis.prefix))
                .metadataConfig(database.config())
                .migrateOnStart(true)
                .scheduler(roles.withPollWait(Duration.ofMillis(200)))
                .task(AsyncTask.of("whoami", ctx -> {
                    ctx.progress(0.5, "asking " + name);
                    return "ran on " + name;
                }))
                .build();
    }

    @Test
    void apiOnlyInstanceQueuesAndReadsWhatTheWorkerInstanceRan() {
        try (LogPlatform api = instance("api", SchedulerSettings.apiOnly());
             LogPlatform worker = instance("worker", SchedulerSettings.workersOnly())) {
            assertThat(api.internals().taskBroker()).get().isInstanceOf(RedisTaskBroker.class);
            assertThat(api.internals().lock()).get().isInstanceOf(RedisLock.class);

            String id = api.scheduler().submit("whoami", Map.of());
            await().atMost(Duration.ofSeconds(30)).until(() -> api.scheduler().status(id)
                    .map(TaskStatus::finished).orElse(false));
            TaskStatus done = api.scheduler().status(id).orElseThrow();
            assertThat(done.state()).isEqualTo(TaskStatus.State.DONE);
            assertThat(done.result()).isEqualTo("ran on worker");
            assertThat(done.progress()).isEqualTo(1.0);

            TaskRun run = api.scheduler().recorder().recent("whoami", 1).get(0);
            assertThat(run.runId()).isEqualTo(id);
            assertThat(run.outcome()).isEqualTo(TaskRun.Outcome.SUCCESS);
            assertThat(worker.scheduler().recorder().succeeded(id)).isTrue();
        }
    }
}
