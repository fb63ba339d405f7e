package io.bklog.server.cli;

import io.bklog.core.agent.Agent;
import io.bklog.core.agent.AgentConfig;
import io.bklog.core.agent.DiskBuffer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code bklog agent}: runs on a log host the file and syslog collectors that target it, shipping to the servers
 * through a disk buffer (docs/deployment.md "Agents"). Runs until stopped (SIGTERM / Ctrl-C stops it cleanly; a
 * {@code kill -9} loses nothing either).
 */
@Command(name = "agent", mixinStandardHelpOptions = true, versionProvider = BklogCommand.Version.class,
        description = "Run the agent: the file and syslog collectors that target this host, shipped to the servers.")
final class AgentCommand implements Callable<Integer> {

    @Option(names = "--server", required = true, paramLabel = "URL[,URL2]",
            description = "server base URLs, e.g. http://bklog-1:9280,http://bklog-2:9280 (fail over in turn)")
    String servers;

    @Option(names = "--token", paramLabel = "T",
            description = "API token with the ingest role of the collectors' space (default env BKLOG_AGENT_TOKEN)")
    String token;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "buffer, file offsets and last configs (default ./bklog-agent-data)")
    Path dataDir;

    @Option(names = "--name", description = "this agent's name (default the host name); targets may name it")
    String name;

    @Option(names = "--host", description = "host name reported and matched by targets (default the host's)")
    String host;

    @Option(names = "--ip", paramLabel = "IP[,IP]",
            description = "addresses matched by IP and CIDR targets (default the host's, without loopback, link-local and"
                    + " container bridges)")
    String ips;

    @Option(names = "--labels", paramLabel = "k=v[,k=v]", description = "labels matched by label:k=v targets")
    String labels;

    @Option(names = "--buffer-max-bytes", paramLabel = "SIZE", defaultValue = "512m",
            description = "bound of the disk buffer, e.g. 512m, 2g (default 512m); when full, files are not read on")
    String bufferMax;

    @Option(names = "--poll-interval", paramLabel = "D", defaultValue = "2s",
            description = "how often to ask for the configs (default 2s)")
    String poll;

    @Option(names = "--heartbeat", paramLabel = "D", defaultValue = "5s",
            description = "how often to report the status (default 5s)")
    String heartbeat;

    @Option(names = "--allowed-paths", paramLabel = "GLOB[,GLOB]",
            description = "what file collectors may read (globs or directories; default /var/log/**, as the servers'"
                    + " collectors.file.allowed_paths); the data dir never")
    String allowedPaths;

    @Option(names = "--allowed-ports", paramLabel = "PORTS",
            description = "ports syslog collectors may listen on (default 514,1024-65535, as the servers'"
                    + " collectors.syslog.allowed_ports)")
    String allowedPorts;

    @Override
    public Integer call() throws InterruptedException {
        String t = token != null ? token : System.getenv("BKLOG_AGENT_TOKEN");
        List<URI> uris = new ArrayList<>();
        for (String s : servers.split(",")) if (!s.isBlank()) uris.add(URI.create(s.trim().replaceAll("/+$", "")));
        AgentConfig config;
        try {
            config = new AgentConfig(uris, t, dataDir, name, host, ips == null ? null : split(ips),
                    labels == null ? null : labelMap(labels), size(bufferMax), duration(poll, "--poll-interval"),
                    duration(heartbeat, "--heartbeat"), 0, BklogCommand.version(),
                    allowedPaths == null ? null : split(allowedPaths), allowedPorts, 0);
            io.bklog.core.collect.CollectorConfinement.of(config.allowedPaths(), List.of(),
                    config.allowedPorts()); // a bad entry is refused here, naming it
        } catch (IllegalArgumentException e) {
            throw new io.bklog.server.config.ConfigException(e.getMessage()
                    .replace("collectors.file.allowed_paths", "--allowed-paths")
                    .replace("collectors.syslog.allowed_ports", "--allowed-ports"));
        }
        Agent agent = Agent.start(config, null);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close();
            stopped.countDown();
        }, "bklog-agent-shutdown"));
        stopped.await();
        return 0;
    }

    private static List<String> split(String csv) {
        List<String> out = new ArrayList<>();
        for (String s : csv.split(",")) if (!s.isBlank()) out.add(s.trim());
        return out;
    }

    private static Map<String, String> labelMap(String csv) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String kv : split(csv)) {
            int eq = kv.indexOf('=');
            if (eq <= 0) throw new io.bklog.server.config.ConfigException("--labels: '" + kv + "' is not key=value");
            out.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
        return out;
    }

    /** {@code 512m}, {@code 2g}, {@code 1048576}. */
    static long size(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        if (v.endsWith("k") || v.endsWith("m") || v.endsWith("g")) {
            unit = v.endsWith("k") ? 1L << 10 : v.endsWith("m") ? 1L << 20 : 1L << 30;
            v = v.substring(0, v.length() - 1);
        }
        try {
            long n = Long.parseLong(v) * unit;
            if (n > 0) return n;
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new io.bklog.server.config.ConfigException("--buffer-max-bytes: '" + s + "' is not a size like 512m"
                + " (default " + (DiskBuffer.DEFAULT_MAX_BYTES >> 20) + "m)");
    }

    /** {@code 500ms}, {@code 2s}, {@code 1m}. */
    static Duration duration(String s, String option) {
        String v = s.trim().toLowerCase(Locale.ROOT);
        try {
            if (v.endsWith("ms")) return positive(Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2))), s, option);
            if (v.endsWith("s")) return positive(Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1))), s, option);
            if (v.endsWith("m")) return positive(Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1))), s, option);
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new io.bklog.server.config.ConfigException(option + ": '" + s + "' is not a duration like 2s or 500ms");
    }

    private static Duration positive(Duration d, String s, String option) {
        if (d.isZero() || d.isNegative()) {
            throw new io.bklog.server.config.ConfigException(option + ": '" + s + "' must be more than 0");
        }
        return d;
    }
}
