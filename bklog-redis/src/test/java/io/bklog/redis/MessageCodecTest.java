package io.bklog.redis;

import io.bklog.spi.TaskMessage;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MessageCodecTest {

    @Test
    void roundTripsEveryFieldIncludingSeparatorsAndUnicode() {
        TaskMessage m = new TaskMessage("run|1:2", "high", "sync:space", Map.of("a|b", "1:2:3", "", "日志", "k", ""),
                4, 1_790_000_000_000L);
        assertThat(MessageCodec.decode(MessageCodec.encode(m))).isEqualTo(m);
    }

    @Test
    void rejectsForeignPayloadNamingTheProblem() {
        assertThatThrownBy(() -> MessageCodec.decode("garbage")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("corrupt task message");
        assertThatThrownBy(() -> MessageCodec.decode("2:t19:abc")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("corrupt");
        assertThatThrownBy(() -> MessageCodec.decode(null)).hasMessageContaining("no field 'm'");
    }
}
