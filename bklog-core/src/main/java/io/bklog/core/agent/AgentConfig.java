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
 * @param ips            its addresses targets match; default the addresses of its interfaces without loopback,
 *                       link-local and container bridges ({@link #localAddresses()})
 * @param labels         labels targets match ({@code label:key=value}); default none
 * @param bufferMaxBytes bound of the disk buffer; default 512 MiB ({@link DiskBuffer#DEFAULT_MAX_BYTES})
 * @param pollInterval   how often it asks for its configs; default 2 s
 * @param heartbeat      how often it reports its status; default 5 s
 * @param batchDocs      documents per {@code _bulk} request; default 500
 * @param version        the version it reports
 * @param allowedPaths   globs or directories its file collectors may read; default the server's
 *                       {@code collectors.file.allowed_paths} default ({@code /var/log/**}); the data dir never
 * @param allowedPorts   ports and ranges its syslog collectors may listen on; default the server's
 *                       {@code collectors.syslog.allowed_ports} default ({@code 514,1024-65535})
 * @param batchBytes     bound of one {@code _bulk} request's body; default 8 MiB
 */
public record AgentConfig(List<URI> servers, String token, Path dataDir, String name, String host, List<String> ips,
                          Map<String, String> labels, long bufferMaxBytes, Duration pollInterval, Duration heartbeat,
                          int batchDocs, String version, List<String> allowedPaths, String allowedPorts,
                          long batchBytes) {

    /** Default bound of one {@code _bulk} request's body: 8 MiB. */
    public static final long DEFAULT_BATCH_BYTES = 8L << 20;

    /** With the default allow-lists and batch bytes. */
    public AgentConfig(List<URI> servers, String token, Path dataDir, String name, String host, List<String> ips,
                       Map<String, String> labels, long bufferMaxBytes, Duration pollInterval, Duration heartbeat,
                       int batchDocs, String version) {
        this(servers, token, dataDir, name, host, ips, labels, bufferMaxBytes, pollInterval, heartbeat, batchDocs,
                version, null, null, 0);
    }

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
        allowedPaths = allowedPaths == null ? io.bklog.core.collect.CollectorConfinement.DEFAULT_ALLOWED_PATHS
                : List.copyOf(allowedPaths);
        allowedPorts = allowedPorts == null || allowedPorts.isBlank()
                ? io.bklog.core.collect.CollectorConfinement.DEFAULT_ALLOWED_PORTS : allowedPorts.strip();
        if (batchBytes <= 0) batchBytes = DEFAULT_BATCH_BYTES;
        if (name.length() > 249) throw new IllegalArgumentException("--name: at most 249 characters, got "
                + name.length());
    }

    static String localHostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }

    /**
     * The addresses of the up interfaces, without loopback, link-local ({@code 169.254/16}, {@code fe80::/10}) and
     * container bridges ({@code docker*}, {@code br-*}, {@code veth*}, {@code cni*}, {@code virbr*}, {@code cali*}):
     * those are the same on every host, so a target naming them would match every agent.
     */
    static List<String> localAddresses() {
        List<String> out = new java.util.ArrayList<>();
        try {
            for (var ni : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
                if (!ni.isUp() || ni.isLoopback() || bridge(ni.getName())) continue;
                for (var a : java.util.Collections.list(ni.getInetAddresses())) {
                    if (!hostAddress(a)) continue;
                    String ip = com.google.common.net.InetAddresses.toAddrString(a);
                    if (ip.indexOf('%') >= 0) ip = ip.substring(0, ip.indexOf('%')); // no scope (fe80::1%eth0)
                    out.add(ip);
                }
            }
        } catch (java.io.IOException e) {
            // none known: targets by name and label still match
        }
        return List.copyOf(out);
    }

    /** Not loopback, link-local or wildcard: an address that tells this host from another. */
    static boolean hostAddress(java.net.InetAddress a) {
        return !a.isLoopbackAddress() && !a.isLinkLocalAddress() && !a.isAnyLocalAddress();
    }

    /** An interface name of a container or VM bridge (the same addresses on many hosts). */
    static boolean bridge(String name) {
        if (name == null) return false;
        for (String p : List.of("docker", "br-", "veth", "cni", "virbr", "cali", "flannel")) {
            if (name.startsWith(p)) return true;
        }
        return false;
    }
}
