package io.bklog.server.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads {@link BklogConfig} from, in increasing priority: the defaults, an optional YAML file, environment variables
 * {@code BKLOG_<PATH>} (the key path upper-cased, dots as underscores: {@code BKLOG_SERVER_PORT},
 * {@code BKLOG_DATA_DIR}, {@code BKLOG_STORE_BACKEND}; store settings as {@code BKLOG_STORE_SETTINGS_<KEY>}, whose
 * underscores become dots: {@code BKLOG_STORE_SETTINGS_REPOSITORY_PATH} = {@code repository.path}), and command-line
 * overrides by key path ({@code server.port}).
 */
public final class ConfigLoader {
    private static final Logger log = LoggerFactory.getLogger(ConfigLoader.class);
    public static final String ENV_PREFIX = "BKLOG_";
    private static final String SETTINGS_ENV = ENV_PREFIX + "STORE_SETTINGS_";
    /** The sections whose {@code settings} are a blob store's, each read from {@code BKLOG_<SECTION>_SETTINGS_<KEY>}. */
    private static final List<String> BLOB_SECTIONS = List.of("backup", "archive", "export");
    /** Variables the launcher script reads itself; not config keys. */
    private static final List<String> LAUNCHER_ENV = List.of("BKLOG_JAVA_OPTS", "BKLOG_LOG_FORMAT", "BKLOG_LOG_LEVEL");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private ConfigLoader() {}

    /** Loads with the process environment. */
    public static BklogConfig load(Path file, Map<String, String> overrides) {
        return load(file, System.getenv(), overrides);
    }

    /** Loads a profile ({@code dev}, {@code stag}, {@code prod}; null = none) with the process environment. */
    public static BklogConfig load(Path file, String profile, Map<String, String> overrides) {
        return load(file, profile, discoveredSources(), System.getenv(), overrides);
    }

    public static BklogConfig load(Path file, Map<String, String> env, Map<String, String> overrides) {
        return load(file, null, discoveredSources(), env, overrides);
    }

    /** The {@link ConfigSource}s on the classpath. */
    public static List<ConfigSource> discoveredSources() {
        List<ConfigSource> out = new ArrayList<>();
        java.util.ServiceLoader.load(ConfigSource.class).forEach(out::add);
        return out;
    }

    /** The variable naming the profile when {@code --profile} is not given. */
    public static final String PROFILE_ENV = ENV_PREFIX + "PROFILE";

    /**
     * The profile file beside {@code file}: {@code bklog.yaml} + {@code prod} = {@code bklog-prod.yaml}; without a
     * file, {@code bklog-prod.yaml} in the working directory.
     */
    public static Path profileFile(Path file, String profile) {
        if (!profile.matches("[a-z][a-z0-9_-]{0,30}")) {
            throw new ConfigException("profile '" + profile + "' is not a valid name; use e.g. dev, stag or prod");
        }
        if (file == null) return Path.of("bklog-" + profile + ".yaml");
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        String ext = dot > 0 ? name.substring(dot) : ".yaml";
        return file.resolveSibling(stem + "-" + profile + ext);
    }

    /** The merged tree of every source, before binding, with where each key path came from. */
    private record Merged(ObjectNode tree, Map<String, String> origins, List<String> unknownEnv) {}

    private static Merged merge(Path file, String profile, List<ConfigSource> sources, Map<String, String> env,
                                Map<String, String> overrides) {
        ObjectNode tree = YAML.valueToTree(BklogConfig.defaults());
        Map<String, List<String>> envKeys = new TreeMap<>();
        leafPaths(tree, new ArrayList<>(), envKeys);
        Map<String, String> origins = new TreeMap<>();
        String prof = profile != null ? profile : env.get(PROFILE_ENV);
        List<Path> files = new ArrayList<>();
        if (file != null) files.add(file);
        if (prof != null && !prof.isBlank()) files.add(profileFile(file, prof.trim()));
        for (Path f : files) {
            JsonNode fromFile = readFile(f);
            Map<String, List<String>> fileKeys = new TreeMap<>();
            leafPaths(fromFile, new ArrayList<>(), fileKeys);
            fileKeys.values().forEach(p -> origins.put(String.join(".", p), "file " + f));
            refuseSecrets(fromFile, f);
            merge(tree, fromFile);
        }
        for (ConfigSource source : sources) {
            for (Map.Entry<String, String> e : new TreeMap<>(source.load(prof)).entrySet()) {
                set(tree, List.of(e.getKey().split("\\.")), e.getValue());
                origins.put(e.getKey(), "source " + source.name());
            }
        }
        List<String> unknownEnv = new ArrayList<>();
        for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
            String name = e.getKey();
            if (!name.startsWith(ENV_PREFIX) || LAUNCHER_ENV.contains(name) || name.equals(PROFILE_ENV)) continue;
            String section = blobSection(name);
            if (section != null) {
                String envPrefix = ENV_PREFIX + section.toUpperCase(Locale.ROOT) + "_SETTINGS_";
                String key = name.substring(envPrefix.length()).toLowerCase(Locale.ROOT);
                tree.withObjectProperty(section).withObjectProperty("settings").put(key, e.getValue());
                origins.put(section + ".settings." + key, name);
            } else if (name.startsWith(SETTINGS_ENV) && name.length() > SETTINGS_ENV.length()) {
                String key = name.substring(SETTINGS_ENV.length()).toLowerCase(Locale.ROOT).replace('_', '.');
                tree.withObjectProperty("store").withObjectProperty("settings").put(key, e.getValue());
                origins.put("store.settings." + key, name);
            } else if (envKeys.containsKey(name)) {
                set(tree, envKeys.get(name), e.getValue());
                origins.put(String.join(".", envKeys.get(name)), name);
            } else {
                log.warn("config env ignored name={} reason=\"names no config key\" known=\"{}, {}<KEY>\"", name,
                        String.join(", ", envKeys.keySet()), SETTINGS_ENV);
                unknownEnv.add(name);
            }
        }
        for (Map.Entry<String, String> o : overrides.entrySet()) {
            set(tree, List.of(o.getKey().split("\\.")), o.getValue());
            origins.put(o.getKey(), "command line");
        }
        return new Merged(tree, origins, unknownEnv);
    }

    /**
     * @param file      YAML file, or null for none
     * @param profile   profile whose file ({@link #profileFile}) is read after {@code file}; null = {@code BKLOG_PROFILE}
     *                  or none
     * @param sources   more sources, read after the files
     * @param env       environment variables (only {@code BKLOG_*} are read)
     * @param overrides key path ({@code server.port}) to value, from the command line
     */
    public static BklogConfig load(Path file, String profile, List<ConfigSource> sources, Map<String, String> env,
                                   Map<String, String> overrides) {
        Merged merged = merge(file, profile, sources, env, overrides);
        ObjectNode tree = merged.tree();
        Map<String, String> origins = merged.origins();
        try {
            BklogConfig config = YAML.treeToValue(tree, BklogConfig.class);
            log.debug("config loaded file={} overridden={}", file, origins.keySet());
            return config;
        } catch (UnrecognizedPropertyException e) {
            throw new ConfigException("unknown config key '" + path(e) + "' in " + origins.getOrDefault(path(e),
                    "file " + file) + "; known keys there: " + e.getKnownPropertyIds(), e);
        } catch (JacksonException e) {
            String msg = e.getCause() instanceof IllegalArgumentException iae ? iae.getMessage() : e.getOriginalMessage();
            String where = path(e);
            String origin = origins.entrySet().stream().filter(o -> o.getKey().startsWith(where))
                    .map(Map.Entry::getValue).findFirst().orElse("config");
            throw new ConfigException("bad config value at '" + where + "' (from " + origin + "): " + msg, e);
        }
    }

    /** A secret written in a YAML file is refused: it comes from a file ({@code <key>_file}) or the environment. */
    private static void refuseSecrets(JsonNode fromFile, Path file) {
        for (String section : BLOB_SECTIONS) {
            JsonNode settings = fromFile.path(section).path("settings");
            for (String key : BackupConfig.SECRET_SETTINGS) {
                if (settings.has(key)) {
                    throw new ConfigException(section + ".settings." + key + " in " + file + " is a secret and is not"
                            + " read from the config file; give " + section + ".settings." + key + "_file (a file "
                            + "holding it) or the environment variable " + ENV_PREFIX
                            + section.toUpperCase(Locale.ROOT) + "_SETTINGS_" + key.toUpperCase(Locale.ROOT));
                }
            }
        }
    }

    /** The section of a {@code BKLOG_<SECTION>_SETTINGS_<KEY>} variable of a blob store; null for another variable. */
    private static String blobSection(String env) {
        for (String section : BLOB_SECTIONS) {
            String p = ENV_PREFIX + section.toUpperCase(Locale.ROOT) + "_SETTINGS_";
            if (env.startsWith(p) && env.length() > p.length()) return section;
        }
        return null;
    }

    /** One problem {@link #check} found: the key path, where it came from, what is wrong and what to do. */
    public record Problem(String path, String origin, String message, String suggestion) {
        @Override
        public String toString() {
            return path + " (" + origin + "): " + message + (suggestion.isEmpty() ? "" : "; " + suggestion);
        }
    }

    /**
     * Every unknown or invalid key of the configuration the arguments describe, each with its path, origin and a
     * suggestion (the closest known key, or the default); empty = {@link #load} will accept it. A file that cannot be
     * read at all is one problem.
     */
    public static List<Problem> check(Path file, String profile, List<ConfigSource> sources, Map<String, String> env,
                                      Map<String, String> overrides) {
        Merged merged;
        try {
            merged = merge(file, profile, sources, env, overrides);
        } catch (ConfigException e) {
            return List.of(new Problem("", file == null ? "config" : "file " + file, e.getMessage(), ""));
        }
        List<Problem> out = new ArrayList<>();
        ObjectNode defaults = YAML.valueToTree(BklogConfig.defaults());
        unknownKeys(merged.tree(), defaults, new ArrayList<>(), merged.origins(), out);
        Map<String, List<String>> envKeys = new TreeMap<>();
        leafPaths(defaults, new ArrayList<>(), envKeys);
        for (String name : merged.unknownEnv()) {
            out.add(new Problem(name, "environment", "names no config key", closest(name, envKeys.keySet())
                    .map(c -> "did you mean " + c + "?").orElse("see docs/config.md for the variables")));
        }
        // bind each top-level section alone (unknown keys are reported above) so every bad value is named
        ObjectMapper lenient = YAML.copy().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        Iterator<Map.Entry<String, JsonNode>> it = merged.tree().fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> section = it.next();
            if (!defaults.has(section.getKey())) continue;
            ObjectNode one = defaults.deepCopy();
            one.set(section.getKey(), section.getValue());
            try {
                lenient.treeToValue(one, BklogConfig.class);
            } catch (JacksonException e) {
                String where = path(e);
                if (where.isEmpty() || where.equals("?")) where = section.getKey();
                String w = where;
                String origin = merged.origins().entrySet().stream().filter(o -> o.getKey().startsWith(w))
                        .map(Map.Entry::getValue).findFirst().orElse("config");
                String msg = e.getCause() instanceof IllegalArgumentException iae ? iae.getMessage()
                        : e.getOriginalMessage();
                JsonNode def = defaults.at("/" + where.replace('.', '/'));
                out.add(new Problem(where, origin, "bad value: " + msg, def.isMissingNode() || def.isNull()
                        || def.isContainerNode() ? "see docs/config.md" : "the default is " + def.asText()));
            }
        }
        return out;
    }

    private static void unknownKeys(JsonNode given, JsonNode known, List<String> path, Map<String, String> origins,
                                    List<Problem> out) {
        Iterator<Map.Entry<String, JsonNode>> it = given.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            List<String> p = new ArrayList<>(path);
            p.add(e.getKey());
            String dotted = String.join(".", p);
            JsonNode k = known.get(e.getKey());
            if (k == null) {
                List<String> siblings = new ArrayList<>();
                known.fieldNames().forEachRemaining(siblings::add);
                String origin = origins.entrySet().stream().filter(o -> o.getKey().equals(dotted)
                        || o.getKey().startsWith(dotted + ".")).map(Map.Entry::getValue).findFirst().orElse("config");
                String prefix = path.isEmpty() ? "" : String.join(".", path) + ".";
                out.add(new Problem(dotted, origin, "unknown key", closest(e.getKey(), siblings)
                        .map(c -> "did you mean " + prefix + c + "?")
                        .orElse("known keys there: " + siblings)));
            } else if (k.isObject() && k.size() > 0 && e.getValue().isObject()) {
                unknownKeys(e.getValue(), k, p, origins, out);
            }
        }
    }

    /** The candidate closest to {@code word} by edit distance, when it is close enough to be a typo. */
    static java.util.Optional<String> closest(String word, java.util.Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(word.toLowerCase(Locale.ROOT), c.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        return best != null && bestDistance <= Math.max(2, word.length() / 3) ? java.util.Optional.of(best)
                : java.util.Optional.empty();
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** Key names whose values are secrets: redacted in {@link #redacted}. */
    private static final java.util.regex.Pattern SECRET = java.util.regex.Pattern.compile(
            "(?i).*(password|passwd|secret|token|credential|private_key|api_key|access_key|jaas).*");
    /** The user-info of a URL ({@code scheme://user:pw@host}). */
    private static final java.util.regex.Pattern URL_USERINFO = java.util.regex.Pattern.compile("://[^/@\\s]*@");
    /** A secret written as a parameter inside a value ({@code ?password=..}, {@code password="..."}). */
    private static final java.util.regex.Pattern INLINE_SECRET = java.util.regex.Pattern.compile(
            "(?i)(password|passwd|pwd|secret|token|access_key|secret_key)(\\s*=\\s*)(\"[^\"]*\"|[^&;\\s\"]*)");

    /**
     * The effective configuration as a JSON tree, every secret value replaced by {@code "***"}: values under a
     * secret-looking key, a URL's user-info, and secrets written inside a value (a JDBC URL's {@code password=}, a
     * JAAS line's {@code password="..."}), in objects and lists at any depth.
     */
    public static JsonNode redacted(BklogConfig config) {
        JsonNode tree = YAML.valueToTree(config);
        return redact(tree, false);
    }

    static JsonNode redact(JsonNode node, boolean secretKey) {
        if (node instanceof ObjectNode o) {
            List<String> names = new ArrayList<>();
            o.fieldNames().forEachRemaining(names::add);
            for (String n : names) o.set(n, redact(o.get(n), secretKey || SECRET.matcher(n).matches()));
            return o;
        }
        if (node instanceof com.fasterxml.jackson.databind.node.ArrayNode a) {
            for (int i = 0; i < a.size(); i++) a.set(i, redact(a.get(i), secretKey));
            return a;
        }
        if (node == null || node.isNull() || !node.isValueNode() || node.asText().isEmpty()) return node;
        if (secretKey) return com.fasterxml.jackson.databind.node.TextNode.valueOf("***");
        if (!node.isTextual()) return node;
        String text = node.asText();
        String clean = URL_USERINFO.matcher(text).replaceAll("://***@");
        clean = INLINE_SECRET.matcher(clean).replaceAll("$1$2***");
        return clean.equals(text) ? node : com.fasterxml.jackson.databind.node.TextNode.valueOf(clean);
    }

    private static JsonNode readFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("config file " + file.toAbsolutePath() + " does not exist");
        }
        try {
            JsonNode node = YAML.readTree(file.toFile());
            if (node == null || node.isMissingNode() || node.isNull()) return YAML.createObjectNode();
            if (!node.isObject()) {
                throw new ConfigException("config file " + file + " must hold a YAML mapping at the top, got "
                        + node.getNodeType().name().toLowerCase(Locale.ROOT));
            }
            return node;
        } catch (JacksonException e) {
            JsonLocation l = e.getLocation();
            throw new ConfigException("config file " + file + " is not valid YAML"
                    + (l == null ? "" : " at line " + l.getLineNr() + ", column " + l.getColumnNr()) + ": "
                    + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
    }

    private static void leafPaths(JsonNode node, List<String> path, Map<String, List<String>> out) {
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            List<String> p = new ArrayList<>(path);
            p.add(e.getKey());
            if (e.getValue().isObject() && e.getValue().size() > 0) {
                leafPaths(e.getValue(), p, out);
            } else if (!e.getValue().isObject()) {
                out.put(ENV_PREFIX + String.join("_", p).toUpperCase(Locale.ROOT), p);
            }
        }
    }

    private static void merge(ObjectNode into, JsonNode from) {
        Iterator<Map.Entry<String, JsonNode>> it = from.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode have = into.get(e.getKey());
            if (have instanceof ObjectNode o && e.getValue().isObject()) {
                merge(o, e.getValue());
            } else {
                into.set(e.getKey(), e.getValue());
            }
        }
    }

    private static void set(ObjectNode tree, List<String> path, String value) {
        ObjectNode node = tree;
        for (String p : path.subList(0, path.size() - 1)) {
            node = node.withObjectProperty(p);
        }
        node.put(path.get(path.size() - 1), value);
    }

    private static String path(JacksonException e) {
        if (!(e instanceof com.fasterxml.jackson.databind.JsonMappingException d)) return "?";
        List<String> parts = new ArrayList<>();
        for (var ref : d.getPath()) {
            parts.add(ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]");
        }
        return String.join(".", parts);
    }

    /** Every key path and its environment variable, for docs and error messages. */
    public static Map<String, String> environmentVariables() {
        Map<String, List<String>> keys = new TreeMap<>();
        leafPaths(YAML.valueToTree(BklogConfig.defaults()), new ArrayList<>(), keys);
        Map<String, String> out = new LinkedHashMap<>();
        keys.forEach((env, p) -> out.put(String.join(".", p), env));
        return out;
    }
}
