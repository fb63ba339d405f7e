package io.bklog.server.cli;

import io.bklog.core.meta.MetadataConfig;
import io.bklog.core.meta.MetadataStore;
import io.bklog.core.meta.MigrationResult;
import io.bklog.server.BklogServer;
import io.bklog.server.config.BklogConfig;
import io.bklog.server.config.ConfigLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code bklog migrate}: brings the metadata schema to this version (a no-op when it is current). */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        versionProvider = BklogCommand.Version.class, description = "Migrate the metadata database schema to this version of bklog.")
final class MigrateCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML config file (optional; see docs/config.md)")
    Path config;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "data directory (embedded metadata lives here)")
    Path dataDir;

    @Override
    public Integer call() {
        Map<String, String> overrides = new LinkedHashMap<>();
        if (dataDir != null) overrides.put("data_dir", dataDir.toString());
        BklogConfig cfg = ConfigLoader.load(config, overrides);
        MetadataConfig meta = BklogServer.metadataConfig(cfg)
                .orElseGet(() -> MetadataConfig.embedded(BklogServer.dataDir(cfg)));
        try (MetadataStore store = MetadataStore.open(meta)) {
            MigrationResult r = store.migrate();
            spec.commandLine().getOut().println("metadata " + meta.jdbcUrl() + ": schema "
                    + (r.fromVersion() == null ? "empty" : r.fromVersion()) + " -> " + r.toVersion() + " ("
                    + r.applied() + " migration" + (r.applied() == 1 ? "" : "s") + " applied)");
        }
        return 0;
    }
}
