package io.bklog.server.cli;

import io.bklog.server.BklogServer;
import io.bklog.server.config.BklogConfig;
import io.bklog.server.config.ConfigLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code bklog serve}: runs the server until the process is stopped (SIGTERM / Ctrl-C closes it cleanly). */
@Command(name = "serve", mixinStandardHelpOptions = true,
        versionProvider = BklogCommand.Version.class, description = "Run the bklog server (default http://127.0.0.1:9280).")
final class ServeCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", description = "YAML config file (optional; see docs/config.md)")
    Path config;

    @Option(names = "--profile", paramLabel = "P",
            description = "profile (dev, stag, prod): also reads bklog-P.yaml beside --config (default BKLOG_PROFILE)")
    String profile;

    @Option(names = "--port", description = "HTTP port (overrides server.port / BKLOG_SERVER_PORT)")
    Integer port;

    @Option(names = "--host", description = "address to bind (overrides server.host / BKLOG_SERVER_HOST)")
    String host;

    @Option(names = "--roles", paramLabel = "R,R",
            description = "what this instance does: api, ingest, collect, beat, worker or all (overrides server.roles /"
                    + " BKLOG_SERVER_ROLES; see docs/deployment.md)")
    String roles;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "data directory (overrides data_dir / BKLOG_DATA_DIR)")
    Path dataDir;

    @Override
    public Integer call() throws InterruptedException {
        Map<String, String> overrides = new LinkedHashMap<>();
        if (port != null) overrides.put("server.port", port.toString());
        if (host != null) overrides.put("server.host", host);
        if (roles != null) overrides.put("server.roles", roles);
        if (dataDir != null) overrides.put("data_dir", dataDir.toString());
        BklogConfig cfg = ConfigLoader.load(config, profile, overrides);
        BklogServer server = BklogServer.start(cfg, config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown();
            stopped.countDown();
        }, "bklog-shutdown"));
        stopped.await();
        return 0;
    }
}
