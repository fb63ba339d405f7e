package io.bklog.server.health;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format 0.0.4, for tests. No Java library on Maven Central
 * parses this format (the Prometheus Java clients only write it), so this follows the spec
 * (https://prometheus.io/docs/instrumenting/exposition_formats/): {@code # HELP} / {@code # TYPE} lines, samples
 * {@code name{label="value",...} value [timestamp]} with escaped label values. It fails on anything else: a bad
 * name, an unterminated label, a duplicate label, an unparsable value, a second TYPE for a family, or a sample
 * whose family has no TYPE line before it.
 */
final class PrometheusText {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    record Sample(String name, Map<String, String> labels, double value) {}

    record Exposition(Map<String, String> types, List<Sample> samples) {
        List<Sample> samples(String name) {
            return samples.stream().filter(s -> s.name().equals(name)).toList();
        }
    }

    private PrometheusText() {}

    static Exposition parse(String text) {
        Map<String, String> types = new LinkedHashMap<>();
        List<Sample> samples = new ArrayList<>();
        int n = 0;
        for (String line : text.split("\n", -1)) {
            n++;
            if (line.isEmpty()) continue;
            if (line.startsWith("#")) {
                String[] parts = line.split(" ", 4);
                if (parts.length >= 3 && parts[1].equals("TYPE")) {
                    name(parts[2], n);
                    if (parts.length != 4 || !TYPES.contains(parts[3])) fail(n, "bad TYPE line: " + line);
                    if (types.put(parts[2], parts[3]) != null) fail(n, "second TYPE for " + parts[2]);
                } else if (parts.length >= 3 && parts[1].equals("HELP")) {
                    name(parts[2], n);
                }
                continue;
            }
            Sample s = sample(line, n);
            if (family(s.name(), types) == null) fail(n, "sample " + s.name() + " has no TYPE line before it");
            samples.add(s);
        }
        return new Exposition(types, samples);
    }

    /** The family a sample belongs to: itself, or without a histogram/summary/counter suffix. */
    static String family(String sample, Map<String, String> types) {
        if (types.containsKey(sample)) return sample;
        for (String suffix : List.of("_bucket", "_sum", "_count", "_total", "_created")) {
            if (sample.endsWith(suffix)) {
                String base = sample.substring(0, sample.length() - suffix.length());
                if (types.containsKey(base)) return base;
            }
        }
        return null;
    }

    private static Sample sample(String line, int n) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') i++;
        String name = name(line.substring(0, i), n);
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (true) {
                if (i >= line.length()) fail(n, "unterminated labels");
                if (line.charAt(i) == '}') {
                    i++;
                    break;
                }
                int eq = line.indexOf('=', i);
                if (eq < 0) fail(n, "label without '='");
                String label = line.substring(i, eq);
                if (!LABEL.matcher(label).matches()) fail(n, "bad label name '" + label + "'");
                i = eq + 1;
                if (i >= line.length() || line.charAt(i) != '"') fail(n, "label value must be quoted");
                i++;
                StringBuilder v = new StringBuilder();
                while (true) {
                    if (i >= line.length()) fail(n, "unterminated label value");
                    char c = line.charAt(i++);
                    if (c == '"') break;
                    if (c == '\\') {
                        if (i >= line.length()) fail(n, "dangling escape");
                        char e = line.charAt(i++);
                        switch (e) {
                            case '\\' -> v.append('\\');
                            case '"' -> v.append('"');
                            case 'n' -> v.append('\n');
                            default -> fail(n, "bad escape \\" + e);
                        }
                    } else {
                        v.append(c);
                    }
                }
                if (labels.put(label, v.toString()) != null) fail(n, "duplicate label " + label);
                if (i < line.length() && line.charAt(i) == ',') i++;
            }
        }
        if (i >= line.length() || line.charAt(i) != ' ') fail(n, "no value after " + name);
        String[] rest = line.substring(i + 1).split(" ");
        if (rest.length < 1 || rest.length > 2) fail(n, "expected value [timestamp]: " + line);
        double value = value(rest[0], n);
        if (rest.length == 2) {
            try {
                Long.parseLong(rest[1]);
            } catch (NumberFormatException e) {
                fail(n, "bad timestamp " + rest[1]);
            }
        }
        return new Sample(name, labels, value);
    }

    private static double value(String raw, int n) {
        switch (raw) {
            case "NaN": return Double.NaN;
            case "+Inf": return Double.POSITIVE_INFINITY;
            case "-Inf": return Double.NEGATIVE_INFINITY;
            default:
                try {
                    return Double.parseDouble(raw);
                } catch (NumberFormatException e) {
                    fail(n, "bad value " + raw);
                    return 0;
                }
        }
    }

    private static String name(String name, int n) {
        if (!NAME.matcher(name).matches()) fail(n, "bad metric name '" + name + "'");
        return name;
    }

    private static void fail(int line, String what) {
        throw new IllegalArgumentException("line " + line + ": " + what);
    }
}
