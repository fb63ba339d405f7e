package io.bklog.spi.source;

import java.util.List;
import java.util.Map;

/**
 * Creates the sources of collectors of one {@link #type()} ({@code file}, {@code syslog}, {@code kafka}, or a third
 * party's). The platform finds factories with {@link java.util.ServiceLoader} (file
 * {@code META-INF/services/io.bklog.spi.source.SourceFactory}) and takes explicitly installed ones
 * ({@code LogPlatform.builder().collectorSource(factory)}), which win over a found one of the same type.
 *
 * <p>Settings are the collector's {@code source_params} as JSON values: {@code String}, {@code Number},
 * {@code Boolean}, {@code List}, {@code Map<String, Object>} or null.
 */
public interface SourceFactory {

    /** The {@code source_type} of collectors this factory serves, e.g. {@code kafka}. */
    String type();

    /** Every problem of {@code settings}, each naming its key; empty when valid. Called when a collector is saved. */
    List<SettingProblem> validate(Map<String, Object> settings);

    /**
     * Whether collectors of this type use a resource of the host the platform runs on (its files, its ports): only
     * a platform admin may create or change them. Default false.
     */
    default boolean hostResource() {
        return false;
    }

    /**
     * Refuses valid settings that reach host resources this platform does not allow, with a
     * {@link SecurityException} (or the platform's own exception) naming the value and the rule. Called when a
     * collector is saved and before its source is created. Default: allows everything.
     */
    default void checkHostAccess(Map<String, Object> settings) {
    }

    /**
     * A new source for valid {@code settings}, not started yet. Throws {@link IllegalArgumentException} naming the
     * key when the settings are not valid.
     */
    Source create(Map<String, Object> settings, SourceContext context) throws Exception;

    /** Throws {@link IllegalArgumentException} listing every problem of {@code settings}; for {@link #create}. */
    default void requireValid(Map<String, Object> settings) {
        List<SettingProblem> problems = validate(settings);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(type() + " source: " + String.join("; ",
                    problems.stream().map(SettingProblem::toString).toList()));
        }
    }
}
