package io.bklog.core.meta;

import com.google.common.hash.Hashing;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * An API token. Only its SHA-256 hash is stored; the secret is shown once, when it is made.
 *
 * @param name      unique label, e.g. {@code ci-ingest}
 * @param tokenHash {@link #hash(String)} of the secret; unique
 * @param spaceUid  the space it grants access to; null = every space (platform token)
 * @param roles     e.g. {@code ingest}, {@code search}, {@code admin}
 * @param expiresAt null = never
 */
public record Token(long id, String name, String tokenHash, String spaceUid, List<String> roles, Instant expiresAt,
                    long version, Instant createdAt, Instant updatedAt) {

    public Token {
        Rows.max(Rows.required(name, "token name"), 255, "token name");
        Rows.max(Rows.required(tokenHash, "token hash"), 128, "token hash");
        roles = Rows.strings(roles);
        expiresAt = Rows.ms(expiresAt);
        createdAt = Rows.ms(createdAt);
        updatedAt = Rows.ms(updatedAt);
    }

    /** A new token row for the given secret (hashed here). */
    public static Token of(String name, String secret, String spaceUid, List<String> roles, Instant expiresAt) {
        return new Token(0, name, hash(secret), spaceUid, roles, expiresAt, 0, null, null);
    }

    /** Lower-case hex SHA-256 of the secret, the form stored in {@code token_hash}. */
    public static String hash(String secret) {
        Rows.required(secret, "token secret");
        return Hashing.sha256().hashString(secret, StandardCharsets.UTF_8).toString();
    }

    public boolean isExpired(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }

    public boolean hasRole(String role) {
        return roles.contains(role);
    }

    public Token withRoles(List<String> newRoles) {
        return new Token(id, name, tokenHash, spaceUid, newRoles, expiresAt, version, createdAt, updatedAt);
    }

    public Token withExpiresAt(Instant newExpiresAt) {
        return new Token(id, name, tokenHash, spaceUid, roles, newExpiresAt, version, createdAt, updatedAt);
    }
}
