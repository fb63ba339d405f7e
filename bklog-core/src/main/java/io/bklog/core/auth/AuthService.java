package io.bklog.core.auth;

import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.core.meta.DuplicateNameException;
import io.bklog.core.meta.MetadataStore;
import io.bklog.core.meta.Space;
import io.bklog.core.meta.Token;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Spaces and bearer tokens. A token is bound to one space and a set of {@link Role}s; only the SHA-256 of its
 * secret is stored ({@link Token#hash}). {@link #bootstrap} makes the first admin token.
 */
public final class AuthService {
    private static final Logger log = LoggerFactory.getLogger(AuthService.class);
    /** File (in the data dir) the bootstrap admin token is written to. */
    public static final String BOOTSTRAP_FILE = "admin-token";
    public static final String BOOTSTRAP_TOKEN_NAME = "bootstrap-admin";
    private static final Pattern SPACE_UID = Pattern.compile("[a-z0-9][a-z0-9_]{0,127}");

    private final MetadataStore meta;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public AuthService(MetadataStore meta, Clock clock) {
        this.meta = Objects.requireNonNull(meta, "meta");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The caller a presented secret belongs to; empty when unknown or expired. */
    public Optional<Principal> authenticate(String secret) {
        if (secret == null || secret.isBlank()) return Optional.empty();
        return meta.tokens().findBySecret(secret.strip())
                .filter(t -> !t.isExpired(clock.instant()) && t.spaceUid() != null)
                .map(t -> new Principal(t.id(), t.name(), t.spaceUid(),
                        t.roles().stream().map(Role::parse).collect(java.util.stream.Collectors.toSet())));
    }

    /** Creates a space; {@code conflict} when the uid is taken. */
    public Space createSpace(String spaceUid, String name) {
        if (spaceUid == null || !SPACE_UID.matcher(spaceUid).matches()) {
            throw new BklogException(ErrorCode.BAD_REQUEST, "space_uid '" + spaceUid + "' is invalid: use 1 to 128"
                    + " characters of a-z, 0-9 and _, starting with a letter or digit", "space_uid");
        }
        try {
            Space s = meta.spaces().create(Space.of(spaceUid, name == null || name.isBlank() ? spaceUid : name));
            log.info("space created space_uid={}", spaceUid);
            return s;
        } catch (DuplicateNameException e) {
            throw new BklogException(ErrorCode.CONFLICT, "space '" + spaceUid + "' exists already", "space_uid",
                    Map.of(), e);
        }
    }

    /** Makes a token of a space with the given roles; the secret is in the answer only. */
    public IssuedToken createToken(String name, String spaceUid, Set<Role> roles, Instant expiresAt) {
        if (name == null || name.isBlank()) throw new BklogException(ErrorCode.BAD_REQUEST, "token name is required", "name");
        if (name.length() > 128 || name.codePoints().anyMatch(c -> Character.isISOControl(c)
                || Character.getType(c) == Character.LINE_SEPARATOR || Character.getType(c) == Character.PARAGRAPH_SEPARATOR)) {
            // a name goes into the server log: no line breaks or other control characters that could forge a line
            throw new BklogException(ErrorCode.BAD_REQUEST, "token name must be 1 to 128 printable characters (no line"
                    + " breaks or control characters); got " + name.length() + " characters", "name");
        }
        if (expiresAt != null && !expiresAt.isAfter(clock.instant())) {
            throw new BklogException(ErrorCode.BAD_REQUEST, "expires_at " + expiresAt + " is not in the future (now "
                    + clock.instant() + ")", "expires_at");
        }
        if (roles == null || roles.isEmpty()) {
            throw new BklogException(ErrorCode.BAD_REQUEST, "a token needs at least one role (viewer, ingest, admin,"
                    + " unmasked)", "roles");
        }
        if (meta.spaces().findByUid(spaceUid).isEmpty()) {
            throw new BklogException(ErrorCode.BAD_REQUEST, "no space '" + spaceUid + "'; create it first", "space_uid");
        }
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String secret = "bkl_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        List<String> roleNames = EnumSet.copyOf(roles).stream().map(Role::wireName).toList();
        try {
            Token t = meta.tokens().create(Token.of(name, secret, spaceUid, roleNames, expiresAt));
            log.info("token created name={} space={} roles={}", name, spaceUid, roleNames);
            return new IssuedToken(secret, t);
        } catch (DuplicateNameException e) {
            throw new BklogException(ErrorCode.CONFLICT, "a token named '" + name + "' exists already in space '"
                    + spaceUid + "'", "name", Map.of(), e);
        }
    }

    /** Revokes (deletes) a token of the space; {@code false} when there is none of that name in it. */
    public boolean revoke(String spaceUid, String name) {
        Optional<Token> t = meta.tokens().findByName(spaceUid, name);
        t.ifPresent(x -> {
            meta.tokens().delete(x);
            log.info("token revoked name={} space={}", name, spaceUid);
        });
        return t.isPresent();
    }

    /** Tokens of a space (hashes only). */
    public List<Token> tokens(String spaceUid) {
        return meta.tokens().listBySpace(spaceUid);
    }

    /**
     * When no token exists yet, makes an admin token of {@code spaceUid} that also holds {@code unmasked} (only a
     * holder of {@code unmasked} may grant it, so the first token must hold it; migration V6 adds it to a bootstrap
     * token made before) and writes its secret to {@code {dataDir}/admin-token} (owner read/write only). Returns
     * the file when it made one.
     */
    public Optional<Path> bootstrap(Path dataDir, String spaceUid) {
        if (!meta.tokens().list().isEmpty()) return Optional.empty();
        IssuedToken t = createToken(BOOTSTRAP_TOKEN_NAME, spaceUid, EnumSet.of(Role.ADMIN, Role.UNMASKED), null);
        Path file = dataDir.resolve(BOOTSTRAP_FILE);
        try {
            Files.createDirectories(dataDir);
            Files.deleteIfExists(file);
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(file);
            }
            Files.writeString(file, t.secret() + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the bootstrap admin token to " + file, e);
        }
        log.warn("auth bootstrap: created admin+unmasked token name={} space={} file={} (mode 600; read it, then keep"
                + " it safe)", BOOTSTRAP_TOKEN_NAME, spaceUid, file.toAbsolutePath());
        return Optional.of(file);
    }
}
