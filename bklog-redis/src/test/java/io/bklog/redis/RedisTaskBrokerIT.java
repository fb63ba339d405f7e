package io.bklog.redis;

import io.bklog.spi.TaskBroker;
import io.bklog.spi.TaskDelivery;
import io.bklog.spi.TaskMessage;
import io.bklog.testkit.TaskBrokerContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RedisTaskBrokerIT extends TaskBrokerContract {

    private static RedisFixture redis;

    @BeforeAll
    static void connect() {
        redis = new RedisFixture("broker");
    }

    @AfterAll
    static void cleanUp() {
        if (redis != null) redis.close();
    }

    @Override
    protected TaskBroker createBroker(Duration visibilityTimeout) {
        return RedisTaskBroker.builder().client(redis.client).prefix(redis.nextPrefix())
                .visibilityTimeout(visibilityTimeout).build();
    }

    @Test
    void keepsOneStreamPerQueueAndDeletesAcknowledgedEntries() {
        RedisTaskBroker b = (RedisTaskBroker) broker;
        b.publish(TaskMessage.of("a", "high", "t", Map.of()));
        b.publish(TaskMessage.of("b", "default", "t", Map.of()));
        assertThat(redis.connection.sync().xlen(b.streamKey("high"))).isEqualTo(1);
        assertThat(redis.connection.sync().xlen(b.streamKey("default"))).isEqualTo(1);
        assertThat(b.streamKey("high")).isEqualTo(b.prefix() + ":queue:high");

        TaskDelivery d = b.receive(HIGH_THEN_DEFAULT, "c1", Duration.ofSeconds(1)).orElseThrow();
        b.ack(d);
        assertThat(redis.connection.sync().xlen(b.streamKey("high"))).isZero();
        b.deadLetter(b.receive(HIGH_THEN_DEFAULT, "c1", Duration.ofSeconds(1)).orElseThrow(), "bad");
        assertThat(redis.connection.sync().xlen(b.deadLetterKey("default"))).isEqualTo(1);
        assertThat(redis.connection.sync().xlen(b.streamKey("default"))).isZero();
    }

    @Test
    void corruptEntryIsDeadLetteredAndDoesNotBlockTheQueue() {
        RedisTaskBroker b = (RedisTaskBroker) broker;
        b.publish(TaskMessage.of("first", "default", "t", Map.of()));
        redis.connection.sync().xadd(b.streamKey("default"), Map.of("m", "garbage"));
        b.publish(TaskMessage.of("after", "default", "t", Map.of()));
        b.ack(b.receive(List.of("default"), "c", Duration.ofSeconds(1)).orElseThrow());
        TaskDelivery d = b.receive(List.of("default"), "c", Duration.ofSeconds(1)).orElseThrow();
        assertThat(d.message().id()).isEqualTo("after");
        assertThat(b.deadLetters("default", 10)).singleElement()
                .satisfies(dl -> assertThat(dl.reason()).startsWith("corrupt message"));
    }

    @Test
    void blockedReceiveServesOtherQueuesItReadMeanwhileOnItsNextCall() {
        RedisTaskBroker b = (RedisTaskBroker) broker;
        assertThat(b.receive(HIGH_THEN_DEFAULT, "c1", Duration.ofMillis(50))).isEmpty();
        b.publish(TaskMessage.of("h", "high", "t", Map.of()));
        b.publish(TaskMessage.of("d", "default", "t", Map.of()));
        TaskDelivery first = b.receive(HIGH_THEN_DEFAULT, "c1", Duration.ofSeconds(1)).orElseThrow();
        TaskDelivery second = b.receive(HIGH_THEN_DEFAULT, "c1", Duration.ofSeconds(1)).orElseThrow();
        assertThat(List.of(first.message().id(), second.message().id())).containsExactly("h", "d");
    }
}
