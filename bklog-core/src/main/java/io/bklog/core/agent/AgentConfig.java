package io.bklog.core.agent;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What {@code bklog agent} runs with (its command-line options mirror these names).
 *
 * @param servers        base URLs of the servers (role {@code api} for configs and status, {@code ingest} for
 *                       {@code _bulk}); shipped round robin, failing over to the next on an error
 * @param token          an API token with the {@code ingest} role of the space whose collectors target this agent
 * @param dataDir        the agent's buffer, file offsets and last configs; default {@code ./bklog-agent-data}
 * @param name           this agent's name; default the host name
 * @param host           the host name it reports and targets match; default the host name
 * @param ips            its addresses targets match; default every address of its network interfaces
 * @param labels         labels targets match ({@code label:key=value}); default none
 * @param bufferMaxBytes bound of the disk buffer; default 512 MiB ({@link DiskBuffer#DEFAULT_MAX_BYTES})
 * @param pollInterval   how often it asks for its configs; default 2 s
 * @param heartbeat      how often it reports its status; default 5 s
 * @param batchDocs      documents per {@code _bulk} request; default 500
 * @param version        the version it reports
 */
public record AgentConfig(List<URI> servers, String token, Path dataDir, String name, String host, List<String> ips,
                          Map<String, String> labels, long bufferMaxBytes, Duration pollInterval, Duration heartbeat,
                          int batchDocs, String version) {

    public AgentConfig {
        servers = List.copyOf(Objects.requireNonNull(servers, "servers"));
        if (servers.isEmpty()) throw new IllegalArgumentException("--server: at least one server URL is needed");
        for (URI u : servers) {
            if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https"))
                    || u.getHost() == null) {
                throw new IllegalArgumentException("--server: '" + u + "' is not an http(s) URL like"
                        + " http://bklog-1:8080");
            }
        }
        if (token == null || token.isBlank()) throw new IllegalArgumentException("--token: required (an API token"
                + " with the ingest role; POST /api/v1/tokens)");
        dataDir = dataDir == null ? Path.of("bklog-agent-data") : dataDir;
        host = host == null || host.isBlank() ? localHostName() : host;
        name = name == null || name.isBlank() ? host : name;
        ips = ips == null ? localAddresses() : List.copyOf(ips);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        if (bufferMaxBytes <= 0) bufferMaxBytes = DiskBuffer.DEFAULT_MAX_BYTES;
        pollInterval = pollInterval == null ? Duration.ofSeconds(2) : pollInterval;
        heartbeat = heartbeat == null ? Duration.ofSeconds(5) : heartbeat;
        if (batchDocs <= 0) batchDocs = 500;
        version = version == null ? "unknown" : version;
    }

    static String localHostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }

    /** Every address of the up interfaces, loopback last. */
    static List<String> localAddresses() {
        List<String> out = new java.util.ArrayList<>();
        List<String> loop = new java.util.ArrayList<>();
        try {
            for (var ni : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
                if (!ni.isUp()) continue;
                for (var a : java.util.Collections.list(ni.getInetAddresses())) {
                    String ip = com.google.common.net.InetAddresses.toAddrString(a);
                    if (ip.indexOf('%') >= 0) ip = ip.substring(0, ip.indexOf('%')); // no scope (fe80::1%eth0)
                    (a.isLoopbackAddress() ? loop : out).add(ip);
                }
            }
        } catch (java.io.IOException e) {
            // none known: targets by name and label still match
        }
        out.addAll(loop);
        return List.copyOf(out);
    }
}
