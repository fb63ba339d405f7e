package io.bklog.benchmarks.ingest;

import io.bklog.core.etl.EtlConfig;
import io.bklog.core.etl.EtlSchema;
import io.bklog.core.collect.PipelineLineSink;
import io.bklog.core.ingest.BatchingSink;
import io.bklog.core.ingest.IngestPipeline;
import io.bklog.spi.source.SourceLine;
import io.bklog.core.memory.MemoryLogStore;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The source SPI's hop: the same JSON lines through a collector's pipeline (JSON ETL, batching sink, in-memory store)
 * handed in by {@link PipelineLineSink#accept} (what the file, syslog and Kafka sources call) against
 * {@link IngestPipeline#submit} directly. Alternates the two for {@code rounds} rounds on a fresh store each and
 * prints the median ratio: {@code line-sink/pipeline-submit = x.xx} (1.00 = the SPI costs nothing measurable).
 * Args: {@code [lines=200000] [rounds=5]}.
 */
public final class LineSinkVsPipelineDriver {
    private static final int BATCH = 1_000;

    private LineSinkVsPipelineDriver() {}

    public static void main(String[] args) throws Exception {
        int lines = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        List<String> input = JsonAppLines.lines(lines);
        EtlConfig etl = JsonAppLines.etl();
        Rounds.report(rounds, r -> new double[] {pipeline(input, etl, true), pipeline(input, etl, false)},
                "line sink", "pipeline.submit", "line-sink/pipeline-submit");
    }

    private static double pipeline(List<String> input, EtlConfig etl, boolean viaSink) throws InterruptedException {
        MemoryLogStore store = new MemoryLogStore();
        store.ensureIndexSet(EtlSchema.schema("bench", etl));
        long start = System.nanoTime();
        try (BatchingSink sink = BatchingSink.builder(store).maxDocs(BATCH).linger(Duration.ofMillis(5)).build();
             IngestPipeline p = IngestPipeline.builder("bench").etl(etl).sink(sink).build()) {
            PipelineLineSink lineSink = new PipelineLineSink(p);
            Instant now = Instant.now();
            for (int from = 0; from < input.size(); from += BATCH) {
                List<SourceLine> chunk = new ArrayList<>(BATCH);
                for (int i = from; i < Math.min(input.size(), from + BATCH); i++) {
                    chunk.add(SourceLine.of("bench-host:/var/log/app.log", i, input.get(i), now));
                }
                if (viaSink) {
                    while (!lineSink.accept(chunk).accepted()) Thread.sleep(1);
                } else {
                    while (!p.submit(chunk).accepted()) Thread.sleep(1);
                }
            }
            p.flush();
            if (!sink.flush(Duration.ofMinutes(2))) throw new IllegalStateException("sink did not drain");
        }
        double secs = (System.nanoTime() - start) / 1e9;
        store.refresh("bench");
        long stored = store.listIndices("bench").stream().mapToLong(i -> i.docCount()).sum();
        if (stored != input.size()) throw new IllegalStateException("stored " + stored + " of " + input.size());
        return input.size() / secs;
    }
}
