package io.bklog.core.auth;

import io.bklog.core.BklogException;
import io.bklog.core.LogPlatform;
import io.bklog.core.meta.Token;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.EnumSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AuthServiceTest {
    private final LogPlatform platform = LogPlatform.builder().build();
    private final AuthService auth = new AuthService(platform.internals().metadata(), platform.clock());

    @AfterEach
    void close() {
        platform.close();
    }

    @Test
    void tokenIsStoredHashedAndAuthenticatesToItsSpaceAndRoles() {
        IssuedToken t = auth.createToken("ci", "default", EnumSet.of(Role.VIEWER), null);
        Token row = platform.internals().metadata().tokens().findByName("default", "ci").orElseThrow();
        assertThat(row.tokenHash()).isEqualTo(Token.hash(t.secret())).doesNotContain(t.secret());
        Principal p = auth.authenticate(t.secret()).orElseThrow();
        assertThat(p.spaceUid()).isEqualTo("default");
        assertThat(p.has(Role.VIEWER)).isTrue();
        assertThat(p.has(Role.INGEST)).isFalse();
        assertThat(p.masked()).isTrue();
        assertThat(auth.authenticate("bkl_wrong")).isEmpty();
    }

    @Test
    void adminImpliesViewerAndIngestButNotUnmasked() {
        Principal p = auth.authenticate(auth.createToken("a", "default", EnumSet.of(Role.ADMIN), null).secret())
                .orElseThrow();
        assertThat(p.has(Role.VIEWER)).isTrue();
        assertThat(p.has(Role.INGEST)).isTrue();
        assertThat(p.masked()).isTrue();
    }

    @Test
    void expiredAndRevokedTokensNoLongerAuthenticate() {
        io.bklog.testkit.MutableClock clock = new io.bklog.testkit.MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        AuthService timed = new AuthService(platform.internals().metadata(), clock);
        IssuedToken old = timed.createToken("old", "default", EnumSet.of(Role.VIEWER),
                Instant.parse("2026-01-01T01:00:00Z"));
        assertThat(timed.authenticate(old.secret())).isPresent();
        clock.advance(java.time.Duration.ofHours(2));
        assertThat(timed.authenticate(old.secret())).isEmpty();
        IssuedToken t = auth.createToken("t", "default", EnumSet.of(Role.VIEWER), null);
        assertThat(auth.revoke("other", "t")).isFalse();
        assertThat(auth.revoke("default", "t")).isTrue();
        assertThat(auth.authenticate(t.secret())).isEmpty();
    }

    @Test
    void aTokenNameThatCouldForgeALogLineOrAPastExpiryIsRefused() {
        assertThatThrownBy(() -> auth.createToken("ok\nlevel=ERROR forged", "default", EnumSet.of(Role.VIEWER), null))
                .isInstanceOf(BklogException.class).hasMessageContaining("printable");
        assertThatThrownBy(() -> auth.createToken("x".repeat(5000), "default", EnumSet.of(Role.VIEWER), null))
                .hasMessageContaining("1 to 128");
        assertThatThrownBy(() -> auth.createToken("late", "default", EnumSet.of(Role.VIEWER), Instant.EPOCH))
                .isInstanceOfSatisfying(BklogException.class, e -> assertThat(e.field()).contains("expires_at"))
                .hasMessageContaining("not in the future");
    }

    @Test
    void tokenForUnknownSpaceOrWithoutRolesIsRefused() {
        assertThatThrownBy(() -> auth.createToken("x", "nope", EnumSet.of(Role.VIEWER), null))
                .isInstanceOf(BklogException.class).hasMessageContaining("no space 'nope'");
        assertThatThrownBy(() -> auth.createToken("x", "default", EnumSet.noneOf(Role.class), null))
                .hasMessageContaining("at least one role");
        auth.createSpace("team_b", "Team B");
        assertThatThrownBy(() -> auth.createSpace("team_b", null)).hasMessageContaining("exists already");
    }

    @Test
    void bootstrapWritesAnAdminTokenFileReadableOnlyByOwnerOnce(@TempDir Path dir) throws Exception {
        Path file = auth.bootstrap(dir, "default").orElseThrow();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        Principal p = auth.authenticate(Files.readString(file)).orElseThrow();
        assertThat(p.has(Role.ADMIN)).isTrue();
        assertThat(p.has(Role.UNMASKED)).as("only a holder of unmasked may grant it: the first token holds it")
                .isTrue();
        assertThat(auth.bootstrap(dir, "default")).isEmpty();
    }
}
