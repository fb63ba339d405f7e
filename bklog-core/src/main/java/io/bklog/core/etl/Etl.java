package io.bklog.core.etl;

import java.time.Clock;

/** Entry point of the ETL: validate and compile a config into a reusable {@link LineParser}. */
public final class Etl {

    private Etl() {
    }

    /**
     * Validates and compiles {@code config}.
     *
     * @throws EtlConfigException listing every problem when the config is invalid
     */
    public static LineParser compile(EtlConfig config) {
        return compile(config, Clock.systemUTC());
    }

    /** As {@link #compile(EtlConfig)}; {@code clock} gives the ingest time and the "now" for year-less formats. */
    public static LineParser compile(EtlConfig config, Clock clock) {
        EtlConfigValidator.check(config);
        return new CompiledLineParser(config, clock);
    }
}
