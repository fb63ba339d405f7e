package io.bklog.core.auth;

import io.bklog.core.meta.Token;

/** A token just made: the secret (shown this once, never stored) and the stored row (with its hash). */
public record IssuedToken(String secret, Token token) {
    @Override
    public String toString() {
        return "IssuedToken[name=" + token.name() + ", space=" + token.spaceUid() + ", roles=" + token.roles() + "]";
    }
}
