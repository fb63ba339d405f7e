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

    @Option(names = "--data-dir", paramLabel = "DIR", description = "data directory")
    Path dataDir;

    @Option(names = "--backup-dir", paramLabel = "DIR",
            description = "backup location (manifests and metadata dumps); default {data dir}/backups")
    Path backupDir;

    BklogConfig load() {
        Map<String, String> overrides = new LinkedHashMap<>();
        if (dataDir != null) overrides.put("data_dir", dataDir.toString());
        return ConfigLoader.load(config, overrides);
    }

    /** Opens the platform, runs {@code action} on its operations and closes it; OpsException prints and exits 2. */
    int run(CommandLine.Model.CommandSpec spec, Function<Operations, Integer> action) {
        return runOnPlatform(spec, platform -> {
            Operations ops = platform.operations();
            return action.apply(backupDir != null ? ops.withBackupLocation(backupDir) : ops);
        });
    }

    /** Opens the platform, runs {@code action} on it and closes it; OpsException prints and exits 2. */
    int runOnPlatform(CommandLine.Model.CommandSpec spec, Function<LogPlatform, Integer> action) {
        PrintWriter err = spec.commandLine().getErr();
        try (LogPlatform platform = BklogServer.platform(load())) {
            return action.apply(platform);
        } catch (OpsException | IllegalArgumentException e) {
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
