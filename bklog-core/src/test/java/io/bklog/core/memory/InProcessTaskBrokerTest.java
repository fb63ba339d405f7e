package io.bklog.core.memory;

import io.bklog.spi.TaskBroker;
import io.bklog.spi.TaskDelivery;
import io.bklog.spi.TaskMessage;
import io.bklog.testkit.MutableClock;
import io.bklog.testkit.TaskBrokerContract;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InProcessTaskBrokerTest extends TaskBrokerContract {

    @Override
    protected TaskBroker createBroker(Duration visibilityTimeout) {
        return InProcessTaskBroker.builder().visibilityTimeout(visibilityTimeout).build();
    }

    @Test
    void visibilityTimeoutAndDelayFollowTheInjectedClock() {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        InProcessTaskBroker b = InProcessTaskBroker.builder().clock(clock)
                .visibilityTimeout(Duration.ofMinutes(5)).build();
        b.publish(new TaskMessage("later", "default", "t", Map.of(), 1, clock.millis() + 60_000));
        b.publish(TaskMessage.of("now", "default", "t", Map.of()));

        TaskDelivery now = b.receive(List.of("default"), "c", Duration.ZERO).orElseThrow();
        assertThat(now.message().id()).isEqualTo("now");
        assertThat(b.receive(List.of("default"), "c", Duration.ZERO)).isEmpty();

        clock.advance(Duration.ofMinutes(1));
        assertThat(b.receive(List.of("default"), "c", Duration.ZERO).orElseThrow().message().id()).isEqualTo("later");

        clock.advance(Duration.ofMinutes(4));
        TaskDelivery again = b.receive(List.of("default"), "c2", Duration.ZERO).orElseThrow();
        assertThat(again.message().id()).isEqualTo("now");
        assertThat(again.deliveries()).isEqualTo(2);
    }

    @Test
    void rejectsReceiveWithoutQueuesAndBlankQueueNames() {
        InProcessTaskBroker b = InProcessTaskBroker.create();
        assertThatThrownBy(() -> b.receive(List.of(), "c", Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one queue");
        assertThatThrownBy(() -> b.publish(TaskMessage.of("x", " ", "t", Map.of())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("queue name");
    }

    @Test
    void closedBrokerRefusesPublishAndReturnsNothing() {
        InProcessTaskBroker b = InProcessTaskBroker.create();
        b.close();
        assertThat(b.receive(List.of("default"), "c", Duration.ofSeconds(1))).isEmpty();
        assertThatThrownBy(() -> b.publish(TaskMessage.of("x", "default", "t", Map.of())))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }
}
