package io.bklog.server.config;

/**
 * API authentication ({@code auth.*}).
 *
 * @param enabled require a bearer token on every {@code /api/**} request; default true. When true and no token
 *                exists yet, the server makes an admin token of the default space at start and writes it to
 *                {@code {data_dir}/admin-token} (mode 600).
 */
public record AuthConfig(boolean enabled) {
    public static AuthConfig defaults() {
        return new AuthConfig(true);
    }
}
