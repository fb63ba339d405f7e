package io.bklog.server.config;

/**
 * The HTTP listener.
 *
 * @param host            address to bind; default {@value #DEFAULT_HOST} (local only)
 * @param port            TCP port; default {@value #DEFAULT_PORT}; 0 = any free port
 * @param maxRequestBytes largest request body accepted; default {@value #DEFAULT_MAX_REQUEST_BYTES}
 */
public record ServerConfig(String host, int port, long maxRequestBytes) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 9280;
    public static final long DEFAULT_MAX_REQUEST_BYTES = 64L * 1024 * 1024;

    public ServerConfig {
        host = host == null || host.isBlank() ? DEFAULT_HOST : host;
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("server.port must be 0..65535, got " + port);
        }
        if (maxRequestBytes < 1) {
            throw new IllegalArgumentException("server.max_request_bytes must be positive, got " + maxRequestBytes);
        }
    }

    public static ServerConfig defaults() {
        return new ServerConfig(DEFAULT_HOST, DEFAULT_PORT, DEFAULT_MAX_REQUEST_BYTES);
    }

}
