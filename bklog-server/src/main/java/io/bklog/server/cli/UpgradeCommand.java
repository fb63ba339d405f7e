package io.bklog.server.cli;

import io.bklog.core.LogPlatform;
import io.bklog.core.meta.MetadataConfig;
import io.bklog.core.meta.MetadataStore;
import io.bklog.core.ops.UpgradeService;
import io.bklog.server.BklogServer;
import io.bklog.server.config.BklogConfig;
import io.bklog.spi.Backend;
import io.bklog.spi.BackendConfig;
import io.bklog.spi.BackendProvider;
import io.bklog.spi.LogStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;

/**
 * {@code bklog upgrade}: the guided upgrade of a stopped deployment (stopping the server drains its ingest):
 * health, full backup, migrate, verify, and rollback to the backup on failure.
 */
@Command(name = "upgrade", mixinStandardHelpOptions = true,
        versionProvider = BklogCommand.Version.class, description = "Upgrade the data dir / metadata to this version, with a backup and "
        + "rollback on failure. Stop the server first.")
final class UpgradeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    OpsOptions options;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        BklogConfig cfg = options.load();
        Path dataDir = BklogServer.dataDir(cfg);
        MetadataConfig metaConfig = BklogServer.metadataConfig(cfg).orElseGet(() -> MetadataConfig.embedded(dataDir));
        if (!cfg.store().clusters().isEmpty()) {
            err.println("bklog upgrade: several storage clusters (store.clusters " + cfg.store().clusters().keySet()
                    + ") are not supported yet: the guided upgrade opens one store; take `bklog backup --full` (one"
                    + " snapshot per cluster), then run `bklog migrate`");
            return 2;
        }
        String backendName = cfg.store().backend().isEmpty() ? "lucene" : cfg.store().backend();
        BackendProvider provider = LogPlatform.builder().providers().get(backendName);
        if (provider == null) {
            err.println("bklog: no backend named '" + backendName + "' on the classpath");
            return 2;
        }
        try (MetadataStore meta = MetadataStore.open(metaConfig);
             Backend backend = provider.create(BackendConfig.of(cfg.store().settings(), dataDir))) {
            LogStore store = backend.logStore().orElseThrow(() ->
                    new IllegalArgumentException("backend '" + backendName + "' has no log store"));
            Path location = options.backupDir != null ? options.backupDir : dataDir.resolve("backups");
            UpgradeService upgrade = new UpgradeService(meta, store, backend.snapshotRepository().orElse(null),
                    location, Clock.systemUTC());
            UpgradeService.Result r = upgrade.run(OpsOptions.progress(spec));
            if (r.ok()) {
                out.println("upgraded schema " + r.fromVersion() + " -> " + r.toVersion() + "; backup " + r.backupId()
                        + "; documents per index set unchanged: " + r.docCounts());
                return 0;
            }
            err.println("bklog upgrade: " + r.error());
            return 1;
        }
    }
}
