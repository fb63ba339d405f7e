package io.bklog.kafka;

import io.bklog.spi.IngestBuffer;
import io.bklog.testkit.IngestBufferContract;

import java.time.Duration;
import java.util.Set;

/** The TCK on a real broker: each buffer gets its own topic. */
class KafkaIngestBufferIT extends IngestBufferContract {

    private static final KafkaFixture KAFKA = KafkaFixture.shared();

    @Override
    protected IngestBuffer createBuffer(int capacity) {
        return new KafkaIngestBuffer(KafkaBufferConfig.builder(KAFKA.bootstrapServers())
                .topic(KAFKA.nextTopic("contract"))
                .partitions(4)
                .linger(Duration.ofMillis(1))
                .maxPendingRecords(capacity)
                .watchedGroups(Set.of())
                .build());
    }

    @Override
    protected Duration pollTimeout() {
        return Duration.ofSeconds(30);
    }
}
