package io.bklog.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Regenerates the key table of docs/config.md from the config classes: one row per key of {@link BklogConfig} with
 * its {@code BKLOG_*} variable (as {@link ConfigLoader} reads it). The prose of a row (default, meaning, notes on the
 * variable) is kept; the generator fixes the variable of every row, drops the rows of keys that no longer exist and
 * adds a row for each new key, with its default from {@link BklogConfig#defaults()} and its meaning from the
 * {@code @param} of its record component. {@code ConfigDocsTest} fails when the committed file differs and prints
 * the command that rewrites it:
 * <pre>mvn -B -o -q test -pl bklog-server -am -Dtest=ConfigDocsTest -Dsurefire.failIfNoSpecifiedTests=false -Dbklog.docs.write=true</pre>
 */
final class ConfigDocsGenerator {
    static final Path DOC = Path.of("..", "docs", "config.md");
    static final String COMMAND = "mvn -B -o -q test -pl bklog-server -am -Dtest=ConfigDocsTest "
            + "-Dsurefire.failIfNoSpecifiedTests=false -Dbklog.docs.write=true";
    private static final Pattern KEY = Pattern.compile("`([a-z_][a-z0-9_.<>]*)`");
    private static final Pattern ENV = Pattern.compile("`(BKLOG_[A-Z0-9_<>]+)`");
    private static final Path SOURCES = Path.of("src", "main", "java", "io", "bklog", "server", "config");

    private ConfigDocsGenerator() {}

    /** Writes the regenerated docs/config.md. */
    public static void main(String[] args) throws IOException {
        Files.writeString(DOC, regenerate(Files.readString(DOC)));
    }

    /** {@code doc} with its key table regenerated. */
    static String regenerate(String doc) {
        List<String> lines = new ArrayList<>(List.of(doc.split("\n", -1)));
        int header = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("| key | env |")) {
                header = i;
                break;
            }
        }
        if (header < 0) throw new IllegalStateException(DOC + " has no key table (a line starting '| key | env |')");
        int first = header + 2;
        int end = first;
        while (end < lines.size() && lines.get(end).startsWith("|")) end++;
        Map<String, String> envOf = ConfigLoader.environmentVariables();
        JsonNode defaults = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .valueToTree(BklogConfig.defaults());
        List<String> rows = new ArrayList<>();
        List<String> documented = new ArrayList<>();
        for (String row : lines.subList(first, end)) {
            List<String> keys = keysOf(row);
            if (keys.isEmpty() || keys.stream().noneMatch(k -> exists(k, defaults))) continue; // a key gone
            documented.addAll(keys);
            String leaf = keys.stream().filter(envOf::containsKey).findFirst().orElse(null);
            rows.add(leaf == null ? row : withEnv(row, envOf.get(leaf)));
        }
        Map<String, String> missing = new LinkedHashMap<>();
        envOf.forEach((key, env) -> {
            if (!documented.contains(key)) missing.put(key, env);
        });
        missing.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            String row = "| `" + e.getKey() + "` | `" + e.getValue() + "` | " + defaultOf(defaults, e.getKey())
                    + " | " + meaningOf(e.getKey()) + " |";
            String section = e.getKey().contains(".") ? e.getKey().substring(0, e.getKey().indexOf('.') + 1) : "";
            int at = rows.size();
            for (int i = 0; i < rows.size(); i++) {
                if (!section.isEmpty() && keysOf(rows.get(i)).stream().anyMatch(k -> k.startsWith(section))) at = i + 1;
            }
            rows.add(at, row);
        });
        List<String> out = new ArrayList<>(lines.subList(0, first));
        out.addAll(rows);
        out.addAll(lines.subList(end, lines.size()));
        return String.join("\n", out);
    }

    private static List<String> keysOf(String row) {
        if (!row.startsWith("| `")) return List.of();
        List<String> keys = new ArrayList<>();
        Matcher m = KEY.matcher(row.substring(1, row.indexOf('|', 1)));
        while (m.find()) keys.add(m.group(1));
        return keys;
    }

    /** Whether a documented key (or the map a {@code <key>} placeholder belongs to) is a key of the config. */
    static boolean exists(String key, JsonNode defaults) {
        String known = key.contains("<") ? key.substring(0, key.indexOf('<')).replaceAll("\\.$", "") : key;
        if (known.startsWith("backends")) return true; // a map at the top: backends.<name>.<key>
        return !defaults.at("/" + known.replace('.', '/')).isMissingNode();
    }

    /** The row with its variable cell naming {@code env} (its first {@code BKLOG_*} replaced, its notes kept). */
    private static String withEnv(String row, String env) {
        int a = row.indexOf('|', 1);
        int b = row.indexOf('|', a + 1);
        String cell = row.substring(a + 1, b);
        Matcher m = ENV.matcher(cell);
        String fixed = m.find() ? cell.substring(0, m.start(1)) + env + cell.substring(m.end(1)) : " `" + env + "` ";
        return row.substring(0, a + 1) + fixed + row.substring(b);
    }

    private static String defaultOf(JsonNode defaults, String key) {
        JsonNode v = defaults.at("/" + key.replace('.', '/'));
        if (v.isMissingNode() || v.isNull() || v.asText().isEmpty() && !v.isContainerNode()) return "empty";
        return "`" + (v.isValueNode() ? v.asText() : v.toString()) + "`";
    }

    /** The {@code @param} text of the record component a key ends at, from its source file. */
    static String meaningOf(String key) {
        Class<?> type = BklogConfig.class;
        String[] parts = key.split("\\.");
        for (int i = 0; i < parts.length; i++) {
            Optional<RecordComponent> c = component(type, parts[i]);
            if (c.isEmpty()) break;
            if (i == parts.length - 1) return param(type, c.get().getName());
            type = c.get().getType();
            if (!type.isRecord()) break;
        }
        return "(describe " + key + " in the @param of its config record)";
    }

    private static Optional<RecordComponent> component(Class<?> type, String snake) {
        if (!type.isRecord()) return Optional.empty();
        for (RecordComponent c : type.getRecordComponents()) {
            if (PropertyNamingStrategies.SnakeCaseStrategy.INSTANCE.translate(c.getName()).equals(snake)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    private static String param(Class<?> type, String name) {
        Path source = SOURCES.resolve(type.getSimpleName() + ".java");
        try {
            String text = Files.readString(source);
            Matcher m = Pattern.compile("@param\\s+" + name + "\\s+(.*?)(?=\\n\\s*\\*\\s*@|\\n\\s*\\*/)",
                    Pattern.DOTALL).matcher(text);
            if (m.find()) return m.group(1).replaceAll("\\s*\\n\\s*\\*\\s*", " ").replace("{@code ", "`")
                    .replaceAll("\\{@link\\s+([^}]*)}", "`$1`").replace("}", "`").replace("|", "\\|").trim();
        } catch (IOException e) {
            // fall through
        }
        return "(describe " + name + " in the @param of " + type.getSimpleName() + ")";
    }
}
