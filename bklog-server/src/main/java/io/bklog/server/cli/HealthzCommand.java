package io.bklog.server.cli;

import io.bklog.core.LogPlatform;
import io.bklog.core.health.HealthRenderer;
import io.bklog.core.health.HealthReport;
import io.bklog.core.health.NamespaceData;
import io.bklog.server.BklogServer;
import io.bklog.server.config.BklogConfig;
import io.bklog.server.config.ConfigException;
import io.bklog.server.config.ConfigLoader;
import io.bklog.server.http.HealthRoutes;
import io.bklog.server.http.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code bklog healthz}: builds the platform from the config (as {@code serve} would, without listening), runs the
 * health checks and prints the report; exit 0 when every selected namespace passes, 1 otherwise (also when the
 * platform cannot even be built, e.g. the metadata database is unreachable), 2 on a bad config.
 */
@Command(name = "healthz", mixinStandardHelpOptions = true,
        versionProvider = BklogCommand.Version.class, description = "Check the health of every configured backend and print the report.")
final class HealthzCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML config file (optional; see docs/config.md)")
    Path config;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "data directory (overrides data_dir / BKLOG_DATA_DIR)")
    Path dataDir;

    @Option(names = "--include", paramLabel = "NS", split = ",", description = "only these namespaces (comma-separated)")
    List<String> include;

    @Option(names = "--exclude", paramLabel = "NS", split = ",", description = "all namespaces but these (comma-separated)")
    List<String> exclude;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "text (Kubernetes style, default), json or console (coloured text)")
    String format;

    @Override
    public Integer call() throws Exception {
        if (!List.of("text", "json", "console").contains(format)) {
            throw new ConfigException("unknown --format '" + format + "'; expected text, json or console");
        }
        Map<String, String> overrides = new LinkedHashMap<>();
        if (dataDir != null) overrides.put("data_dir", dataDir.toString());
        BklogConfig cfg = ConfigLoader.load(config, overrides);
        HealthReport report;
        LogPlatform platform;
        try {
            platform = BklogServer.platform(cfg);
        } catch (ConfigException e) {
            throw e;
        } catch (RuntimeException e) {
            report = HealthReport.of(List.of(NamespaceData.failed("platform", "cannot start the platform: "
                    + e.getMessage())));
            print(report);
            return 1;
        }
        try (platform) {
            report = platform.health().collect(HealthRoutes.split(include), HealthRoutes.split(exclude));
        }
        print(report);
        return report.status() ? 0 : 1;
    }

    private void print(HealthReport report) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        switch (format) {
            case "json" -> out.println(Json.mapper().writerWithDefaultPrettyPrinter()
                    .writeValueAsString(HealthRenderer.json(report)));
            case "console" -> out.print(HealthRenderer.console(report));
            default -> out.print(HealthRenderer.kubernetes(report));
        }
        out.flush();
    }
}
