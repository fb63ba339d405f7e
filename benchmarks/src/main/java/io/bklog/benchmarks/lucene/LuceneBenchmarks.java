package io.bklog.benchmarks.lucene;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.Collection;
import java.util.Locale;

/**
 * Runs {@link LuceneIngestVsIndexWriterBenchmark} and prints its ratio line, e.g.
 * {@code lucene-store/raw-indexwriter = 0.85}. Args: {@code [measurementIterations] [seconds]} (default 3 × 5 s).
 */
public final class LuceneBenchmarks {
    private LuceneBenchmarks() {}

    public static void main(String[] args) throws RunnerException {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Options opts = new OptionsBuilder()
                .include(LuceneIngestVsIndexWriterBenchmark.class.getName())
                .measurementIterations(iterations)
                .measurementTime(TimeValue.seconds(seconds))
                .warmupIterations(Math.max(1, iterations - 1))
                .warmupTime(TimeValue.seconds(seconds))
                .build();
        Collection<RunResult> results = new Runner(opts).run();
        double store = score(results, "luceneStore");
        double raw = score(results, "rawIndexWriter");
        System.out.printf(Locale.ROOT, "lucene-store docs/s = %.0f%n", store);
        System.out.printf(Locale.ROOT, "raw-indexwriter docs/s = %.0f%n", raw);
        System.out.printf(Locale.ROOT, "lucene-store/raw-indexwriter = %.2f%n", store / raw);
    }

    private static double score(Collection<RunResult> results, String method) {
        return results.stream().filter(r -> r.getParams().getBenchmark().endsWith("." + method))
                .mapToDouble(r -> r.getPrimaryResult().getScore()).findFirst()
                .orElseThrow(() -> new IllegalStateException("no result for " + method));
    }
}
