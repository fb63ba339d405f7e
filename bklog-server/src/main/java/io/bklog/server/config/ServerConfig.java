package io.bklog.server.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.bklog.core.schedule.Schedule;
import io.bklog.core.schedule.SchedulerSettings;

import java.time.Duration;

/**
 * The HTTP listener and what this instance does.
 *
 * @param host            address to bind; default {@value #DEFAULT_HOST} (local only)
 * @param port            TCP port; default {@value #DEFAULT_PORT}; 0 = any free port
 * @param maxRequestBytes largest request body accepted; default {@value #DEFAULT_MAX_REQUEST_BYTES}
 * @param roles           what this instance does, comma-separated: any of {@code api}, {@code ingest},
 *                        {@code collect}, {@code beat}, {@code worker}, or {@code all} (the default); see
 *                        {@link ServerRoles}
 * @param shutdownTimeout on SIGTERM, how long in-flight requests and the sink may take to finish before the
 *                        process stops anyway, e.g. {@code 30s}; default {@code 30s}
 * @param startupWait     at start, how long to wait for each configured dependency (metadata database,
 *                        Elasticsearch, Redis, Kafka) to accept connections, retrying with backoff; {@code 0} =
 *                        do not wait (fail at once); default {@code 2m}
 */
public record ServerConfig(String host, int port, long maxRequestBytes, String roles, String shutdownTimeout,
                           String startupWait) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 9280;
    public static final long DEFAULT_MAX_REQUEST_BYTES = 64L * 1024 * 1024;
    public static final String DEFAULT_SHUTDOWN_TIMEOUT = "30s";
    public static final String DEFAULT_STARTUP_WAIT = "2m";

    public ServerConfig {
        host = host == null || host.isBlank() ? DEFAULT_HOST : host;
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("server.port must be 0..65535, got " + port);
        }
        if (maxRequestBytes < 1) {
            throw new IllegalArgumentException("server.max_request_bytes must be positive, got " + maxRequestBytes);
        }
        roles = roles == null || roles.isBlank() ? ServerRoles.ALL : roles.strip();
        ServerRoles.parse(roles); // validates
        shutdownTimeout = shutdownTimeout == null || shutdownTimeout.isBlank() ? DEFAULT_SHUTDOWN_TIMEOUT
                : shutdownTimeout.strip();
        duration("server.shutdown_timeout", shutdownTimeout, false);
        startupWait = startupWait == null || startupWait.isBlank() ? DEFAULT_STARTUP_WAIT : startupWait.strip();
        duration("server.startup_wait", startupWait, true);
    }

    public ServerConfig(String host, int port, long maxRequestBytes) {
        this(host, port, maxRequestBytes, null, null, null);
    }

    public static ServerConfig defaults() {
        return new ServerConfig(DEFAULT_HOST, DEFAULT_PORT, DEFAULT_MAX_REQUEST_BYTES);
    }

    public ServerConfig withRoles(String r) {
        return new ServerConfig(host, port, maxRequestBytes, r, shutdownTimeout, startupWait);
    }

    public ServerConfig withShutdownTimeout(String t) {
        return new ServerConfig(host, port, maxRequestBytes, roles, t, startupWait);
    }

    public ServerConfig withStartupWait(String t) {
        return new ServerConfig(host, port, maxRequestBytes, roles, shutdownTimeout, t);
    }

    /** The parsed {@link #roles}. */
    @JsonIgnore
    public ServerRoles roleSet() {
        return ServerRoles.parse(roles);
    }

    @JsonIgnore
    public Duration shutdownTimeoutDuration() {
        return duration("server.shutdown_timeout", shutdownTimeout, false);
    }

    @JsonIgnore
    public Duration startupWaitDuration() {
        return duration("server.startup_wait", startupWait, true);
    }

    private static Duration duration(String key, String text, boolean zeroAllowed) {
        if (zeroAllowed && text.equals("0")) return Duration.ZERO;
        Schedule s;
        try {
            s = SchedulerSettings.parseSchedule(text);
        } catch (IllegalArgumentException e) {
            s = null;
        }
        if (!(s instanceof Schedule.FixedRate rate)) {
            throw new IllegalArgumentException(key + " must be a duration such as 30s or 2m"
                    + (zeroAllowed ? " (0 = none)" : "") + ", got '" + text + "'");
        }
        return rate.period();
    }
}
