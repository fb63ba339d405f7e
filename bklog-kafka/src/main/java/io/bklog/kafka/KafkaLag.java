package io.bklog.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Consumer-group lag through the Admin API: end offsets minus committed offsets (log start when none). */
final class KafkaLag {

    private KafkaLag() {
    }

    static List<TopicPartition> partitions(Admin admin, String topic, Duration timeout)
            throws ExecutionException, InterruptedException, TimeoutException {
        TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(topic);
        return d.partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    }

    /**
     * {@link #partitions}, asked again (50 ms doubling to 500 ms, within {@code timeout}) while the broker answering
     * does not know the topic yet: a topic just created on one broker of a cluster reaches the others' metadata a
     * moment later.
     */
    static List<TopicPartition> partitionsOnceVisible(Admin admin, String topic, Duration timeout)
            throws ExecutionException, InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pauseMs = 50;
        while (true) {
            try {
                return partitions(admin, topic, timeout);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)
                        || System.nanoTime() + pauseMs * 1_000_000L >= deadline) {
                    throw e;
                }
                Thread.sleep(pauseMs);
                pauseMs = Math.min(500, pauseMs * 2);
            }
        }
    }

    /** Records of {@code partitions} not yet committed by {@code group}. */
    static long lag(Admin admin, String group, List<TopicPartition> partitions, Duration timeout)
            throws ExecutionException, InterruptedException, TimeoutException {
        int ms = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group,
                        new ListConsumerGroupOffsetsOptions().timeoutMs(ms))
                .partitionsToOffsetAndMetadata().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        for (TopicPartition tp : partitions) {
            latest.put(tp, OffsetSpec.latest());
            OffsetAndMetadata c = committed.get(tp);
            if (c == null) earliest.put(tp, OffsetSpec.earliest());
        }
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
                admin.listOffsets(latest, new ListOffsetsOptions().timeoutMs(ms)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> starts = earliest.isEmpty() ? Map.of()
                : admin.listOffsets(earliest, new ListOffsetsOptions().timeoutMs(ms)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        long lag = 0;
        for (TopicPartition tp : partitions) {
            long end = ends.get(tp).offset();
            OffsetAndMetadata c = committed.get(tp);
            long from = c != null ? c.offset() : starts.get(tp).offset();
            lag += Math.max(0, end - from);
        }
        return lag;
    }
}
