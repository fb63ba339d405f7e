package io.bklog.server.cli;

import io.bklog.core.LogPlatform;
import io.bklog.core.ops.OpsException;
import io.bklog.core.ops.Operations;
import io.bklog.server.BklogServer;
import io.bklog.server.config.BklogConfig;
import io.bklog.server.config.ConfigLoader;
import io.bklog.spi.SnapshotRepository;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/** Options shared by the operations commands (backup, restore, upgrade), and how they open the platform. */
final class OpsOptions {
    @Option(names = "--config", paramLabel = "FILE", description = "YAML config file (optional; see docs/config.md)")
    Path config;

    @Option(names = "--profile", paramLabel = "P",
            description = "profile (dev, stag, prod): also reads bklog-P.yaml beside --config (default BKLOG_PROFILE)")
    String profile;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "data directory")
    Path dataDir;

    @Option(names = "--backup-dir", paramLabel = "DIR",
            description = "backup location (manifests and metadata dumps); default {data dir}/backups")
    Path backupDir;

    @Option(names = "--backup-url", paramLabel = "URL",
            description = "backup location in object storage, e.g. s3://bucket/prefix (endpoint and credentials from "
                    + "backup.settings / BKLOG_BACKUP_SETTINGS_*); instead of --backup-dir")
    java.net.URI backupUrl;

    BklogConfig load() {
        Map<String, String> overrides = new LinkedHashMap<>();
        if (dataDir != null) overrides.put("data_dir", dataDir.toString());
        return ConfigLoader.load(config, profile, overrides);
    }

    /** Opens the platform, runs {@code action} on its operations and closes it; OpsException prints and exits 2. */
    int run(CommandLine.Model.CommandSpec spec, Function<Operations, Integer> action) {
        if (backupDir != null && backupUrl != null) {
            spec.commandLine().getErr().println("bklog: give --backup-dir or --backup-url, not both");
            return 2;
        }
        BklogConfig config = load();
        return runOnPlatform(spec, platform -> {
            Operations ops = platform.operations();
            if (backupDir != null) return action.apply(ops.withBackupLocation(backupDir));
            if (backupUrl == null) return action.apply(ops);
            Map<String, String> settings = new LinkedHashMap<>(config.backup().resolvedSettings());
            settings.keySet().removeAll(java.util.List.of("bucket", "prefix"));
            try (io.bklog.spi.BlobStore store = io.bklog.core.ops.BlobStores.open(backupUrl, settings,
                    BklogServer.dataDir(config))) {
                return action.apply(ops.withBackupStore(store));
            }
        });
    }

    /** Opens the platform, runs {@code action} on it and closes it; OpsException prints and exits 2. */
    int runOnPlatform(CommandLine.Model.CommandSpec spec, Function<LogPlatform, Integer> action) {
        PrintWriter err = spec.commandLine().getErr();
        try (LogPlatform platform = BklogServer.platform(load())) {
            return action.apply(platform);
        } catch (OpsException | IllegalArgumentException | io.bklog.spi.BackendException e) {
            err.println("bklog: " + e.getMessage());
            return 2;
        }
    }

    /**
     * Prints progress to the command's error stream (stdout keeps only the result a script reads), as a percentage
     * with the step, one line per change of whole percent.
     */
    static SnapshotRepository.ProgressListener progress(CommandLine.Model.CommandSpec spec) {
        PrintWriter out = spec.commandLine().getErr();
        int[] last = {-1};
        return (fraction, message) -> {
            int pct = (int) Math.round(fraction * 100);
            if (pct != last[0]) {
                last[0] = pct;
                out.printf("[%3d%%] %s%n", pct, message);
                out.flush();
            }
        };
    }
}
