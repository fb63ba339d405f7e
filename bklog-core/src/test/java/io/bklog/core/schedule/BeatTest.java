package io.bklog.core.schedule;

import io.bklog.core.memory.InProcessLock;
import io.bklog.core.memory.InProcessTaskBroker;
import io.bklog.spi.TaskBroker;
import io.bklog.spi.TaskDelivery;
import io.bklog.spi.TaskMessage;
import io.bklog.testkit.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class BeatTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:30Z"));
    private final InProcessTaskBroker broker = InProcessTaskBroker.builder().clock(clock).build();
    private final InProcessLock lock = new InProcessLock(clock);
    private final TaskRegistry registry = new TaskRegistry()
            .register(PeriodicTask.builder("every_minute", Schedule.every(Duration.ofMinutes(1)), ctx -> "ok").build())
            .register(PeriodicTask.builder("bk_monitor_collect", Schedule.cron("*/5 * * * *"), ctx -> "ok")
                    .highPriority().args(Map.of("scope", "all")).build());

    private Beat beat(String id) {
        return Beat.builder(registry, broker, lock).clock(clock).instanceId(id)
                .leaseTtl(Duration.ofSeconds(30)).tickInterval(Duration.ofSeconds(1)).build();
    }

    private List<TaskMessage> drainMessages() {
        List<TaskMessage> out = new ArrayList<>();
        Optional<TaskDelivery> d;
        while ((d = broker.receive(List.of("high", "default"), "test", Duration.ZERO)).isPresent()) {
            out.add(d.get().message());
            broker.ack(d.get());
        }
        return out;
    }

    @Test
    void publishesTheCurrentPeriodOfEveryTaskWithRunIdArgsAndQueue() {
        Beat a = beat("a");
        assertThat(a.tick()).containsOnlyKeys("bk_monitor_collect@2026-11-25T10:00:00Z",
                "every_minute@2026-11-25T10:00:00Z");
        List<TaskMessage> sent = drainMessages();
        assertThat(sent).extracting(TaskMessage::id)
                .containsExactly("bk_monitor_collect@2026-11-25T10:00:00Z", "every_minute@2026-11-25T10:00:00Z");
        TaskMessage high = sent.get(0);
        assertThat(high.queue()).isEqualTo(TaskBroker.QUEUE_HIGH);
        assertThat(high.args()).containsEntry("scope", "all").containsEntry(Beat.PERIOD_ARG, "2026-11-25T10:00:00Z");
        assertThat(sent.get(1).queue()).isEqualTo(TaskBroker.QUEUE_DEFAULT);

        clock.advance(Duration.ofSeconds(20));
        assertThat(a.tick()).as("same period again").isEmpty();
        clock.advance(Duration.ofSeconds(10));
        assertThat(a.tick()).containsOnlyKeys("every_minute@2026-11-25T10:01:00Z");
    }

    @Test
    void onlyOneOfTwoBeatsIsActiveAndEachPeriodIsPublishedOnce() {
        Beat a = beat("a");
        Beat b = beat("b");
        for (int i = 0; i < 10; i++) {
            a.tick();
            b.tick();
            clock.advance(Duration.ofSeconds(30));
        }
        assertThat(a.isActive()).isTrue();
        assertThat(b.isActive()).isFalse();
        List<String> ids = drainMessages().stream().map(TaskMessage::id).toList();
        assertThat(ids).doesNotHaveDuplicates();
        assertThat(ids).filteredOn(id -> id.startsWith("every_minute@")).hasSize(6);
    }

    @Test
    void missedPeriodsAfterDowntimeRunOnceNotOncePerPeriod() {
        Beat a = beat("a");
        a.tick();
        drainMessages();
        clock.advance(Duration.ofHours(3));
        assertThat(a.tick()).containsOnlyKeys("every_minute@2026-11-25T13:00:00Z",
                "bk_monitor_collect@2026-11-25T13:00:00Z");
    }

    @Test
    void standbyTakesOverWithinOneLeaseWhenTheActiveBeatDiesWithoutRepublishing() {
        Beat a = beat("a");
        Beat b = beat("b");
        a.tick();
        b.tick();
        a.halt(); // crashed: the lease is not released
        clock.advance(Duration.ofSeconds(29));
        assertThat(b.tick()).isEmpty();
        assertThat(b.isActive()).isFalse();

        clock.advance(Duration.ofSeconds(1));
        assertThat(b.tick()).as("10:01 is new; 10:00 was published by a").containsOnlyKeys(
                "every_minute@2026-11-25T10:01:00Z");
        assertThat(b.isActive()).isTrue();
        assertThat(drainMessages()).extracting(TaskMessage::id).doesNotHaveDuplicates().hasSize(3);
    }

    @Test
    void restartedBeatDoesNotRepublishThePeriodItAlreadyPublished() {
        Beat a = beat("a");
        a.tick();
        a.close();
        Beat again = beat("a-restarted");
        clock.advance(Duration.ofSeconds(5));
        assertThat(again.tick()).isEmpty();
        assertThat(again.isActive()).isTrue();
    }

    @Test
    void closedBeatHandsOverAtOnce() {
        Beat a = beat("a");
        Beat b = beat("b");
        a.tick();
        a.close();
        b.tick();
        assertThat(b.isActive()).isTrue();
    }

    @Test
    void activeBeatRenewsItsLeaseAndKeepsIt() {
        Beat a = beat("a");
        Beat b = beat("b");
        for (int i = 0; i < 20; i++) {
            a.tick();
            clock.advance(Duration.ofSeconds(11));
            b.tick();
        }
        assertThat(a.isActive()).isTrue();
        assertThat(b.isActive()).isFalse();
    }

    @Test
    void failedPublishIsTriedAgainOnTheNextTick() {
        TaskBroker failingOnce = new TaskBroker() {
            boolean failed;

            @Override public String backendName() { return "test"; }

            @Override public String publish(TaskMessage message) {
                if (!failed) {
                    failed = true;
                    throw new IllegalStateException("broker down");
                }
                return broker.publish(message);
            }

            @Override public Optional<TaskDelivery> receive(List<String> q, String c, Duration w) { return broker.receive(q, c, w); }
            @Override public void ack(TaskDelivery d) { broker.ack(d); }
            @Override public void deadLetter(TaskDelivery d, String r) { broker.deadLetter(d, r); }
            @Override public List<DeadLetter> deadLetters(String q, int l) { return broker.deadLetters(q, l); }
            @Override public long queueLength(String q) { return broker.queueLength(q); }
            @Override public Duration visibilityTimeout() { return broker.visibilityTimeout(); }
        };
        TaskRegistry one = new TaskRegistry()
                .register(PeriodicTask.builder("t", Schedule.every(Duration.ofMinutes(1)), ctx -> "ok").build());
        Beat a = Beat.builder(one, failingOnce, lock).clock(clock).instanceId("a").build();
        assertThat(a.tick()).isEmpty();
        clock.advance(Duration.ofSeconds(1));
        assertThat(a.tick()).containsOnlyKeys("t@2026-11-25T10:00:00Z");
    }

    @Test
    void rejectsTickIntervalLongerThanAThirdOfTheLease() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Beat.builder(registry, broker, lock)
                        .leaseTtl(Duration.ofSeconds(3)).tickInterval(Duration.ofSeconds(2)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most a third of leaseTtl");
    }
}
