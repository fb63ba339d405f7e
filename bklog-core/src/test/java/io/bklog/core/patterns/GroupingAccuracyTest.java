package io.bklog.core.patterns;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Grouping accuracy (GA, Zhu et al., "Tools and Benchmarks for Automated Log Parsing", ICSE-SEIP 2019) of the default
 * miner on the Loghub-2k samples: a line counts as correct when the set of lines sharing its predicted pattern equals
 * the set of lines sharing its true EventId. The miner reads the {@code Content} column of
 * {@code <D>_2k.log_structured.csv} (the message without the header: date, level, component), one line at a time in
 * file order, as the published GA figures do; a line's predicted pattern is what a user finds it under at the end,
 * {@code resolve(assignment.patternId)}. Same settings for every dataset ({@link PatternSettings#defaults()}).
 */
class GroupingAccuracyTest {

    static final List<String> IN_REPO = List.of("Apache", "HDFS", "Hadoop", "HealthApp", "OpenSSH", "Proxifier",
            "Spark", "Zookeeper");
    /** The other eight Loghub-2k datasets, never stored in the repository: see {@link #main}. */
    static final List<String> HELD_OUT = List.of("Android", "BGL", "HPC", "Linux", "Mac", "OpenStack", "Thunderbird",
            "Windows");

    record Line(String content, String eventId) {}

    @Test
    void averageGroupingAccuracyOnTheEightLoghubSamplesInTheRepositoryIsAtLeast095() throws IOException {
        Map<String, Double> table = new java.util.LinkedHashMap<>();
        for (String d : IN_REPO) {
            String resource = "/loghub/" + d + "/" + d + "_2k.log_structured.csv";
            try (InputStream in = GroupingAccuracyTest.class.getResourceAsStream(resource)) {
                assertThat(in).as(resource).isNotNull();
                table.put(d, groupingAccuracy(read(new java.io.InputStreamReader(in, StandardCharsets.UTF_8)),
                        PatternSettings.defaults()));
            }
        }
        double average = print("Loghub-2k in the repository", table);
        assertThat(average).isGreaterThanOrEqualTo(0.95);
    }

    /**
     * The held-out check, outside the test suite (its data is not in the repository): prints the grouping accuracy
     * of every held-out dataset found under the Loghub checkout given as the argument (docs/patterns-algorithm.md).
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) throw new IllegalArgumentException("usage: GroupingAccuracyTest <loghub checkout>");
        Map<String, Double> table = new java.util.LinkedHashMap<>();
        for (String d : HELD_OUT) {
            Path p = Path.of(args[0], d, d + "_2k.log_structured.csv");
            if (!Files.exists(p)) continue;
            try (Reader r = Files.newBufferedReader(p, StandardCharsets.UTF_8)) {
                table.put(d, groupingAccuracy(read(r), PatternSettings.defaults()));
            }
        }
        if (table.isEmpty()) throw new IllegalArgumentException("no held-out dataset under " + args[0]);
        print("Loghub-2k held out", table);
    }

    static List<Line> read(Reader reader) throws IOException {
        CsvMapper mapper = new CsvMapper();
        CsvSchema schema = CsvSchema.emptySchema().withHeader();
        List<Line> lines = new ArrayList<>();
        try (MappingIterator<Map<String, String>> it = mapper.readerFor(Map.class).with(schema).readValues(reader)) {
            while (it.hasNext()) {
                Map<String, String> row = it.next();
                lines.add(new Line(row.get("Content"), row.get("EventId")));
            }
        }
        return lines;
    }

    static double groupingAccuracy(List<Line> lines, PatternSettings settings) {
        PatternMiner miner = PatternMiners.create(settings);
        List<String> assigned = new ArrayList<>(lines.size());
        for (Line l : lines) assigned.add(miner.assign(l.content()).patternId());
        Map<String, Set<Integer>> byPredicted = new HashMap<>();
        Map<String, Set<Integer>> byTruth = new HashMap<>();
        List<String> predicted = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            String p = miner.resolve(assigned.get(i));
            predicted.add(p);
            byPredicted.computeIfAbsent(p, k -> new HashSet<>()).add(i);
            byTruth.computeIfAbsent(lines.get(i).eventId(), k -> new HashSet<>()).add(i);
        }
        int correct = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (byPredicted.get(predicted.get(i)).equals(byTruth.get(lines.get(i).eventId()))) correct++;
        }
        return correct / (double) lines.size();
    }

    private static double print(String title, Map<String, Double> table) {
        StringBuilder out = new StringBuilder("\n").append(title).append(" — grouping accuracy\n");
        table.forEach((d, ga) -> out.append(String.format("  %-12s %.4f%n", d, ga)));
        double average = table.values().stream().mapToDouble(Double::doubleValue).average().orElse(0);
        out.append(String.format("  %-12s %.4f%n", "average", average));
        System.out.print(out);
        return average;
    }
}
