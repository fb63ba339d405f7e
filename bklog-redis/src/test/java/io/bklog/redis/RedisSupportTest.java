package io.bklog.redis;

import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RedisSupportTest {

    @Test
    void prefixBecomesAHashTagSoAllKeysShareOneClusterSlot() {
        assertThat(RedisSupport.hashTagged("bklog")).isEqualTo("{bklog}");
        assertThat(RedisSupport.hashTagged("app:{tenant1}")).as("a prefix with a tag keeps it").isEqualTo("app:{tenant1}");
        assertThat(RedisSupport.hashTagged("odd{}")).as("an empty tag is no tag").isEqualTo("{odd{}}");
        String tag = RedisSupport.hashTagged("bklog");
        assertThat(SlotHash.getSlot(tag + ":queue:high")).isEqualTo(SlotHash.getSlot(tag + ":delayed:default"))
                .isEqualTo(SlotHash.getSlot(tag + ":lock:ops.retention"));
    }

    @Test
    void nodeListsAreHostPortWithADefaultPortAndBadEntriesAreNamed() {
        assertThat(RedisSupport.HostPort.parse("sentinels", " 10.0.0.1:26380 ", 26379))
                .isEqualTo(new RedisSupport.HostPort("10.0.0.1", 26380));
        assertThat(RedisSupport.HostPort.parse("sentinels", "redis-a", 26379))
                .isEqualTo(new RedisSupport.HostPort("redis-a", 26379));
        for (String bad : new String[]{"", ":7000", "h:x", "h:0", "h:65536"}) {
            assertThatThrownBy(() -> RedisSupport.HostPort.parse("cluster_nodes", bad, 6379)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("setting 'cluster_nodes' has a bad entry '" + bad + "': expected host:port, e.g. 127.0.0.1:6379");
        }
    }
}
