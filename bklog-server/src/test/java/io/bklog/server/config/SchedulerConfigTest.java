package io.bklog.server.config;

import io.bklog.core.BklogException;
import io.bklog.core.LogPlatform;
import io.bklog.core.schedule.Schedule;
import io.bklog.server.BklogServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code scheduler.*} and {@code health.*}: roles, schedule overrides, the per-check timeout. */
class SchedulerConfigTest {
    @TempDir
    Path dir;

    @Test
    void defaultsRunBeatAndTwoWorkersWithTwoSecondHealthChecks() {
        BklogConfig c = ConfigLoader.load(null, Map.of(), Map.of());
        assertThat(c.scheduler().beat()).isTrue();
        assertThat(c.scheduler().workers()).isEqualTo(2);
        assertThat(c.health().timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(ConfigLoader.environmentVariables()).containsEntry("scheduler.workers", "BKLOG_SCHEDULER_WORKERS")
                .containsEntry("health.check_timeout", "BKLOG_HEALTH_CHECK_TIMEOUT");
    }

    @Test
    void apiOnlyInstanceFromFileAndEnvironment() throws Exception {
        Path f = Files.writeString(dir.resolve("bklog.yaml"), """
                data_dir: %s
                server:
                  port: 0
                scheduler:
                  beat: false
                  schedules:
                    ops.retention: "0 3 * * *"
                    ops.capacity_sync: 30m
                health:
                  check_timeout: 500ms
                """.formatted(dir.resolve("data")));
        BklogConfig c = ConfigLoader.load(f, Map.of("BKLOG_SCHEDULER_WORKERS", "0"), Map.of());
        assertThat(c.scheduler().beat()).isFalse();
        assertThat(c.scheduler().workers()).isZero();
        assertThat(c.health().timeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.scheduler().toSettings().schedules()).containsEntry("ops.retention", Schedule.cron("0 3 * * *"))
                .containsEntry("ops.capacity_sync", Schedule.every(Duration.ofMinutes(30)));

        try (BklogServer server = BklogServer.start(c.withAuth(new AuthConfig(false)))) {
            LogPlatform p = server.platform();
            assertThat(p.scheduler().runsBeat()).isFalse();
            assertThat(p.scheduler().runsWorkers()).isFalse();
            assertThat(p.health().timeout()).isEqualTo(Duration.ofMillis(500));
            assertThat(p.scheduler().registry().periodic()).extracting(t -> t.name() + "=" + t.schedule())
                    .contains("ops.retention=cron(0 3 * * *)", "ops.capacity_sync=every(PT30M)");
        }
    }

    @Test
    void badValuesNameTheKey() throws Exception {
        Path f = Files.writeString(dir.resolve("bad.yaml"), "scheduler:\n  schedules:\n    ops.retention: weekly\n");
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of(), Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("scheduler.schedules.ops.retention").hasMessageContaining("weekly");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("BKLOG_HEALTH_CHECK_TIMEOUT", "soon"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("health.check_timeout");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("BKLOG_SCHEDULER_WORKERS", "-1"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("scheduler.workers");
        Path unknown = Files.writeString(dir.resolve("unknown.yaml"), "data_dir: " + dir.resolve("d2")
                + "\nserver:\n  port: 0\nscheduler:\n  schedules:\n    ops.retension: 1h\n");
        BklogConfig c = ConfigLoader.load(unknown, Map.of(), Map.of());
        assertThatThrownBy(() -> BklogServer.start(c.withAuth(new AuthConfig(false))))
                .isInstanceOf(BklogException.class).hasMessageContaining("'ops.retension'")
                .hasMessageContaining("ops.retention");
    }
}
