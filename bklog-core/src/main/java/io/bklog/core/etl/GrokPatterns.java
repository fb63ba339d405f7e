package io.bklog.core.etl;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The grok pattern sets Logstash ships (logstash-patterns-core, Apache 2.0; its LICENSE and NOTICE sit beside the
 * files under {@code io/bklog/core/etl/grok/}): {@code legacy} and {@code ecs-v1}, every file of each, loaded once
 * from the classpath. {@link NamedRegex#grok} expands them.
 */
public final class GrokPatterns {

    public static final String LEGACY = "legacy";
    public static final String ECS_V1 = "ecs-v1";
    public static final List<String> SETS = List.of(LEGACY, ECS_V1);

    private static final Map<String, Map<String, String>> SETS_LOADED = new ConcurrentHashMap<>();

    private GrokPatterns() {
    }

    /** The definitions of a set, name → regex, in file order (a later file's definition wins). */
    public static Map<String, String> of(String set) {
        if (!SETS.contains(set)) {
            throw new IllegalArgumentException("unknown grok_pattern_set '" + set + "'; expected one of " + SETS);
        }
        return SETS_LOADED.computeIfAbsent(set, GrokPatterns::load);
    }

    private static Map<String, String> load(String set) {
        String dir = "/io/bklog/core/etl/grok/" + set + "/";
        Map<String, String> out = new LinkedHashMap<>();
        for (String file : lines(dir + "patterns.list")) {
            if (file.isBlank()) continue;
            for (String line : lines(dir + file.trim())) {
                String l = line.strip();
                if (l.isEmpty() || l.startsWith("#")) continue;
                int sp = 0;
                while (sp < l.length() && !Character.isWhitespace(l.charAt(sp))) sp++;
                if (sp >= l.length()) continue;
                out.put(l.substring(0, sp), l.substring(sp).strip());
            }
        }
        return Collections.unmodifiableMap(out);
    }

    private static List<String> lines(String resource) {
        try (InputStream in = GrokPatterns.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("grok pattern resource " + resource + " missing");
            return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
