package io.bklog.kafka;

import io.bklog.spi.BufferedDocument;
import io.bklog.spi.IngestBuffer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Run as a child JVM by {@link KafkaDrainIT}: joins group {@code args[2]} on topic {@code args[1]}, polls at least
 * {@code args[3]} records, prints their ids, and halts the JVM without committing or leaving the group (as
 * {@code kill -9} would).
 */
public final class CrashingConsumerMain {

    public static void main(String[] args) {
        KafkaIngestBuffer buffer = new KafkaIngestBuffer(KafkaBufferConfig.builder(args[0]).topic(args[1])
                .partitions(4).watchedGroups(Set.of()).build());
        IngestBuffer.Consumer c = buffer.consumer(args[2]);
        int want = Integer.parseInt(args[3]);
        List<BufferedDocument> polled = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (polled.size() < want && System.nanoTime() < deadline) polled.addAll(c.poll(want, Duration.ofMillis(500)));
        StringBuilder out = new StringBuilder("POLLED");
        for (BufferedDocument d : polled) out.append(' ').append(d.document().id());
        System.out.println(out);
        System.out.flush();
        Runtime.getRuntime().halt(137);
    }
}
