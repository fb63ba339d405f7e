package io.bklog.benchmarks.etl;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs the ETL benchmarks (short runs) and prints one ratio per line, ours / baseline throughput, e.g.
 * {@code json-etl/jackson-readTree = 0.82}. Args: iteration seconds (default 1), rounds (default 3),
 * warmup iterations (default 5; the JIT needs them on a busy machine), name prefix of the pairs to run (default all).
 */
public final class EtlBenchmarkRunner {

    private static final Map<Class<?>, String> PAIRS = new LinkedHashMap<>();

    static {
        PAIRS.put(JsonEtlVsJacksonBenchmark.class, "json-etl/jackson-readTree");
        PAIRS.put(RegexpEtlVsMatcherBenchmark.class, "regexp-etl/matcher");
        PAIRS.put(GrokEtlVsJavaGrokBenchmark.class, "grok-etl/java-grok-capture");
        PAIRS.put(DelimiterEtlVsSplitBenchmark.class, "delimiter-etl/string-split");
    }

    private EtlBenchmarkRunner() {
    }

    public static void main(String[] args) throws RunnerException {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int warmups = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        String only = args.length > 3 ? args[3] : "";
        StringBuilder report = new StringBuilder();
        for (Map.Entry<Class<?>, String> e : PAIRS.entrySet()) {
            if (!e.getValue().startsWith(only)) continue;
            // baseline and ours alternate, several short rounds; the median ratio resists a noisy shared machine
            List<Double> ratios = new ArrayList<>();
            double ours = 0;
            double base = 0;
            for (int r = 0; r < rounds; r++) {
                base = score(e.getKey().getName() + ".baseline$", seconds, warmups);
                ours = score(e.getKey().getName() + ".ours$", seconds, warmups);
                ratios.add(ours / base);
            }
            Collections.sort(ratios);
            report.append(String.format("%s = %.2f   (rounds %s; last: ours %.0f ops/s, baseline %.0f ops/s)%n",
                    e.getValue(), ratios.get(ratios.size() / 2), ratios.stream().map(d -> String.format("%.2f", d)).toList(),
                    ours, base));
        }
        System.out.print(report);
    }

    private static double score(String include, int seconds, int warmups) throws RunnerException {
        Options opt = new OptionsBuilder().include(include)
                .warmupIterations(warmups).warmupTime(TimeValue.seconds(seconds))
                .measurementIterations(3).measurementTime(TimeValue.seconds(seconds))
                .forks(1).threads(1).build();
        Collection<RunResult> results = new Runner(opt).run();
        return results.iterator().next().getPrimaryResult().getScore();
    }
}
