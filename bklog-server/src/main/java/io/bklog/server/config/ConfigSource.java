package io.bklog.server.config;

import java.util.Map;

/**
 * A source of configuration keys besides the YAML files and the environment, e.g. a key-value store (Consul, etcd):
 * found through {@link java.util.ServiceLoader} (a jar on the classpath with
 * {@code META-INF/services/io.bklog.server.config.ConfigSource}) or passed to {@link ConfigLoader} explicitly. Its keys
 * override the files and are overridden by {@code BKLOG_*} variables and the command line. See docs/config.md
 * ("Configuration sources").
 */
public interface ConfigSource {

    /** A short name shown as the origin of its keys in errors and in {@code bklog config check}: {@code consul}. */
    String name();

    /**
     * The keys of this source as dotted paths ({@code server.port}, {@code backup.settings.bucket}) to values, read
     * for the given profile (null = none); throws {@link ConfigException} saying why it cannot be read.
     */
    Map<String, String> load(String profile);
}
