package io.bklog.core.auth;

import java.util.Set;

/**
 * Who is calling: the token's name, its space and roles.
 *
 * @param spaceUid the one space the token grants access to
 */
public record Principal(long tokenId, String tokenName, String spaceUid, Set<Role> roles) {
    public Principal {
        roles = Set.copyOf(roles);
    }

    /** Whether the token has the role; admin implies viewer and ingest, never unmasked. */
    public boolean has(Role role) {
        if (roles.contains(role)) return true;
        return roles.contains(Role.ADMIN) && (role == Role.VIEWER || role == Role.INGEST);
    }

    /** Whether values should be masked for this caller. */
    public boolean masked() {
        return !roles.contains(Role.UNMASKED);
    }

    /** Whether an index set of {@code indexSetSpace} is visible to this caller. */
    public boolean canSee(String indexSetSpace) {
        return spaceUid.equals(indexSetSpace);
    }
}
