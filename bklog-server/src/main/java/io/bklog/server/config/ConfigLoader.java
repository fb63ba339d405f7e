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
    /** {@code BKLOG_BACKUP_SETTINGS_<KEY>}: a backup store setting, the key lower-cased ({@code SECRET_KEY} = {@code secret_key}). */
    private static final String BACKUP_SETTINGS_ENV = ENV_PREFIX + "BACKUP_SETTINGS_";
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

    /**
     * @param file      YAML file, or null for none
     * @param env       environment variables (only {@code BKLOG_*} are read)
     * @param overrides key path ({@code server.port}) to value, from the command line
     */
    public static BklogConfig load(Path file, Map<String, String> env, Map<String, String> overrides) {
        ObjectNode tree = YAML.valueToTree(BklogConfig.defaults());
        Map<String, List<String>> envKeys = new TreeMap<>();
        leafPaths(tree, new ArrayList<>(), envKeys);
        Map<String, String> origins = new TreeMap<>();
        if (file != null) {
            JsonNode fromFile = readFile(file);
            Map<String, List<String>> fileKeys = new TreeMap<>();
            leafPaths(fromFile, new ArrayList<>(), fileKeys);
            fileKeys.values().forEach(p -> origins.put(String.join(".", p), "file " + file));
            refuseSecrets(fromFile, file);
            merge(tree, fromFile);
        }
        for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
            String name = e.getKey();
            if (!name.startsWith(ENV_PREFIX) || LAUNCHER_ENV.contains(name)) continue;
            if (name.startsWith(BACKUP_SETTINGS_ENV) && name.length() > BACKUP_SETTINGS_ENV.length()) {
                String key = name.substring(BACKUP_SETTINGS_ENV.length()).toLowerCase(Locale.ROOT);
                tree.withObjectProperty("backup").withObjectProperty("settings").put(key, e.getValue());
                origins.put("backup.settings." + key, name);
            } else if (name.startsWith(SETTINGS_ENV) && name.length() > SETTINGS_ENV.length()) {
                String key = name.substring(SETTINGS_ENV.length()).toLowerCase(Locale.ROOT).replace('_', '.');
                tree.withObjectProperty("store").withObjectProperty("settings").put(key, e.getValue());
                origins.put("store.settings." + key, name);
            } else if (envKeys.containsKey(name)) {
                set(tree, envKeys.get(name), e.getValue());
                origins.put(String.join(".", envKeys.get(name)), name + "=" + e.getValue());
            } else {
                log.warn("config env ignored name={} reason=\"names no config key\" known=\"{}, {}<KEY>\"", name,
                        String.join(", ", envKeys.keySet()), SETTINGS_ENV);
            }
        }
        for (Map.Entry<String, String> o : overrides.entrySet()) {
            set(tree, List.of(o.getKey().split("\\.")), o.getValue());
            origins.put(o.getKey(), "command line");
        }
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
        JsonNode settings = fromFile.path("backup").path("settings");
        for (String key : BackupConfig.SECRET_SETTINGS) {
            if (settings.has(key)) {
                throw new ConfigException("backup.settings." + key + " in " + file + " is a secret and is not read "
                        + "from the config file; give backup.settings." + key + "_file (a file holding it) or the "
                        + "environment variable " + BACKUP_SETTINGS_ENV + key.toUpperCase(Locale.ROOT));
            }
        }
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
