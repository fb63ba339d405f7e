package io.bklog.benchmarks.patterns;

import io.bklog.core.patterns.PatternMiner;
import io.bklog.core.patterns.PatternMiners;
import io.bklog.core.patterns.PatternSettings;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The pattern miner on the Loghub HDFS sample (2,000 lines, repeated), one thread, against a baseline of merely
 * splitting the same lines into whitespace-separated tokens. Scores are lines per second
 * ({@code @OperationsPerInvocation} = the sample's size). {@code ours}: a warm miner, as on a running instance;
 * {@code oursCold}: a new miner per pass of the sample, so every pattern is created and generalised again.
 *
 * <p>{@code main} prints {@code patterns/tokenise = 0.40   (... lines/s)}. Args: iteration seconds (default 1), rounds
 * (default 3), warmup iterations (default 5). The sample is read from
 * {@code -Dloghub.hdfs=bklog-core/src/test/resources/loghub/HDFS/HDFS_2k.log} (run from the repository root).
 */
@State(Scope.Benchmark)
public class PatternMinerBenchmark {

    static final int LINES = 2000;

    private List<String> contents;
    private PatternMiner warm;

    @Setup
    public void setup() {
        contents = hdfsContents();
        warm = PatternMiners.create(PatternSettings.defaults());
        for (String c : contents) warm.assign(c);
    }

    /** The message part of each HDFS line ("081109 203615 148 INFO dfs.DataNode$PacketResponder: " stripped). */
    static List<String> hdfsContents() {
        Path p = Path.of(System.getProperty("loghub.hdfs", "bklog-core/src/test/resources/loghub/HDFS/HDFS_2k.log"));
        try {
            List<String> out = new ArrayList<>(LINES);
            for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
                String[] parts = line.split(" ", 6);
                String rest = parts.length == 6 ? parts[5] : line;
                int colon = rest.indexOf(": ");
                out.add(colon >= 0 ? rest.substring(colon + 2) : rest);
                if (out.size() == LINES) break;
            }
            if (out.size() != LINES) throw new IllegalStateException(p + " has " + out.size() + " lines, expected " + LINES);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the HDFS sample " + p.toAbsolutePath()
                    + " (run from the repository root or set -Dloghub.hdfs)", e);
        }
    }

    @Benchmark
    @OperationsPerInvocation(LINES)
    public void baseline(Blackhole bh) {
        for (String c : contents) {
            List<String> tokens = new ArrayList<>();
            int n = c.length();
            int i = 0;
            while (i < n) {
                while (i < n && Character.isWhitespace(c.charAt(i))) i++;
                int start = i;
                while (i < n && !Character.isWhitespace(c.charAt(i))) i++;
                if (i > start) tokens.add(c.substring(start, i));
            }
            bh.consume(tokens);
        }
    }

    @Benchmark
    @OperationsPerInvocation(LINES)
    public void ours(Blackhole bh) {
        for (String c : contents) bh.consume(warm.assign(c));
    }

    @Benchmark
    @OperationsPerInvocation(LINES)
    public void oursCold(Blackhole bh) {
        PatternMiner cold = PatternMiners.create(PatternSettings.defaults());
        for (String c : contents) bh.consume(cold.assign(c));
    }

    public static void main(String[] args) throws RunnerException {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int warmups = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        StringBuilder report = new StringBuilder();
        for (String ours : List.of("ours", "oursCold")) {
            List<Double> ratios = new ArrayList<>();
            double o = 0;
            double b = 0;
            for (int r = 0; r < rounds; r++) {
                b = score("baseline", seconds, warmups);
                o = score(ours, seconds, warmups);
                ratios.add(o / b);
            }
            Collections.sort(ratios);
            report.append(String.format("%s/tokenise = %.2f   (rounds %s; last: %s %.0f lines/s, tokenise %.0f lines/s)%n",
                    ours.equals("ours") ? "patterns" : "patterns-cold", ratios.get(ratios.size() / 2),
                    ratios.stream().map(d -> String.format("%.2f", d)).toList(), ours, o, b));
        }
        System.out.print(report);
    }

    private static double score(String method, int seconds, int warmups) throws RunnerException {
        Options opt = new OptionsBuilder().include(PatternMinerBenchmark.class.getName() + "." + method + "$")
                .warmupIterations(warmups).warmupTime(TimeValue.seconds(seconds))
                .measurementIterations(3).measurementTime(TimeValue.seconds(seconds))
                .jvmArgsAppend("-Dloghub.hdfs=" + System.getProperty("loghub.hdfs",
                        "bklog-core/src/test/resources/loghub/HDFS/HDFS_2k.log"))
                .forks(1).threads(1).build();
        for (RunResult r : new Runner(opt).run()) return r.getPrimaryResult().getScore();
        throw new IllegalStateException("no result for " + method);
    }
}
