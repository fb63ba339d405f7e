package io.bklog.benchmarks.ingest;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.etl.EtlConfig;
import io.bklog.core.etl.EtlParams;
import io.bklog.core.etl.EtlSchema;
import io.bklog.core.ingest.BatchingSink;
import io.bklog.core.ingest.IngestPipeline;
import io.bklog.spi.source.SourceLine;
import io.bklog.core.memory.MemoryLogStore;
import io.bklog.spi.LogDocument;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The whole ingest pipeline (JSON ETL: parse, flatten, typed fields, time, deterministic ids; batching sink with its
 * bounded queue) into the in-memory store, against the raw work: Jackson parsing each line to a map and
 * {@code MemoryLogStore.index} of batches of the same size. Alternates the two for {@code rounds} rounds on a fresh
 * store each and prints lines/s of both and the median ratio: {@code pipeline-memory/jackson-direct = x.xx}.
 * Args: {@code [lines=200000] [rounds=5]}.
 *
 * <p>With {@code --patterns} as first argument it compares instead the platform's ingest of the same lines into an
 * index set with log clustering on (patterns mined from {@code message}) and off, alternating, a fresh
 * {@code LogPlatform} (memory store, in-memory H2) per run, and prints {@code ingest-patterns-on/off = x.xx}
 * (the aim is at least 0.85: clustering costs at most 15 % of ingest throughput), and the same ratio in lines per
 * CPU-second of the process, which a loaded machine's scheduling does not move.
 */
public final class PipelineVsDirectStoreDriver {
    private static final int BATCH = 1_000;
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    private PipelineVsDirectStoreDriver() {}

    public static void main(String[] args) throws Exception {
        boolean patterns = args.length > 0 && args[0].equals("--patterns");
        if (patterns) args = Arrays.copyOfRange(args, 1, args.length);
        int lines = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        List<String> input = JsonAppLines.lines(lines);
        EtlConfig etl = JsonAppLines.etl();
        if (patterns) {
            patternsOnVsOff(input, etl, rounds);
            return;
        }
        ObjectMapper mapper = new ObjectMapper();
        Rounds.report(rounds, r -> new double[] {pipeline(input, etl), direct(input, mapper)}, "pipeline",
                "jackson+store.index", "pipeline-memory/jackson-direct");
    }

    private static void patternsOnVsOff(List<String> input, EtlConfig etl, int rounds) throws Exception {
        double[] cpuRatios = new double[rounds];
        Rounds.report(rounds, r -> {
            boolean onFirst = r % 2 == 0; // alternate which runs first
            double[] on = onFirst ? platformIngest(input, etl, true) : null;
            double[] off = platformIngest(input, etl, false);
            if (!onFirst) on = platformIngest(input, etl, true);
            if (r >= 0) cpuRatios[r] = on[1] / off[1];
            return new double[] {on[0], off[0]};
        }, "ingest with patterns on", "off", "ingest-patterns-on/off");
        // on a shared machine wall time swings with the neighbours' load; the CPU the process spent per line does
        // not: lines per CPU-second on/off is what clustering costs a saturated instance
        Arrays.sort(cpuRatios);
        System.out.printf(Locale.ROOT, "ingest-patterns-on/off (lines per cpu-second) = %.2f (rounds %s)%n",
                cpuRatios[rounds / 2], Arrays.toString(cpuRatios));
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /**
     * Lines/s of the platform's pipeline into a fresh index set with clustering on or off, and lines per CPU-second
     * of the whole process over the same span.
     */
    private static double[] platformIngest(List<String> input, EtlConfig etl, boolean patterns) throws Exception {
        try (io.bklog.core.LogPlatform platform = io.bklog.core.LogPlatform.builder().build()) {
            io.bklog.core.indexset.IndexSetSpec spec = io.bklog.core.indexset.IndexSetSpec.withFields(
                    EtlSchema.schema("bench", etl).fields());
            if (patterns) {
                spec = spec.withPatterns(new io.bklog.core.patterns.PatternConfig.Spec(true, "message", null, null));
            }
            platform.indexSets().create("bench", spec);
            long start = System.nanoTime();
            long cpuStart = processCpuNanos();
            try (IngestPipeline p = platform.pipeline().pipeline("bench").etl(etl).build()) {
                Instant now = Instant.now();
                for (int from = 0; from < input.size(); from += BATCH) {
                    List<SourceLine> chunk = new ArrayList<>(BATCH);
                    for (int i = from; i < Math.min(input.size(), from + BATCH); i++) {
                        chunk.add(SourceLine.of("bench-host:/var/log/app.log", i, input.get(i), now));
                    }
                    while (!p.submit(chunk).accepted()) Thread.sleep(1);
                }
                p.flush();
                if (!platform.pipeline().sink().flush(Duration.ofMinutes(2))) {
                    throw new IllegalStateException("sink did not drain");
                }
            }
            double secs = (System.nanoTime() - start) / 1e9;
            double cpuSecs = (processCpuNanos() - cpuStart) / 1e9;
            platform.internals().store().refresh("bench");
            long stored = platform.internals().store().listIndices("bench").stream().mapToLong(i -> i.docCount()).sum();
            if (stored != input.size()) throw new IllegalStateException("stored " + stored + " of " + input.size());
            if (patterns && platform.search().search("bench", io.bklog.core.search.SearchParams.of("__pattern:*"))
                    .total() != input.size()) {
                throw new IllegalStateException("not every line got a pattern");
            }
            return new double[] {input.size() / secs, input.size() / cpuSecs};
        }
    }

    private static double pipeline(List<String> input, EtlConfig etl) throws InterruptedException {
        MemoryLogStore store = new MemoryLogStore();
        store.ensureIndexSet(EtlSchema.schema("bench", etl));
        long start = System.nanoTime();
        try (BatchingSink sink = BatchingSink.builder(store).maxDocs(BATCH).linger(Duration.ofMillis(5)).build();
             IngestPipeline p = IngestPipeline.builder("bench").etl(etl).sink(sink).build()) {
            Instant now = Instant.now();
            for (int from = 0; from < input.size(); from += BATCH) {
                List<SourceLine> chunk = new ArrayList<>(BATCH);
                for (int i = from; i < Math.min(input.size(), from + BATCH); i++) {
                    chunk.add(SourceLine.of("bench-host:/var/log/app.log", i, input.get(i), now));
                }
                while (!p.submit(chunk).accepted()) Thread.sleep(1);
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

    private static double direct(List<String> input, ObjectMapper mapper) throws Exception {
        MemoryLogStore store = new MemoryLogStore();
        store.ensureIndexSet(EtlSchema.schema("bench", EtlConfig.of("json", EtlParams.builder().build(), List.of())));
        long start = System.nanoTime();
        Instant now = Instant.now();
        for (int from = 0; from < input.size(); from += BATCH) {
            List<LogDocument> batch = new ArrayList<>(BATCH);
            for (int i = from; i < Math.min(input.size(), from + BATCH); i++) {
                batch.add(new LogDocument(Integer.toString(i), now, mapper.readValue(input.get(i), MAP)));
            }
            store.index("bench", batch);
        }
        return input.size() / ((System.nanoTime() - start) / 1e9);
    }
}
