package io.bklog.core.auth;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What a token may do within its space. {@link #ADMIN} includes {@link #VIEWER} and {@link #INGEST};
 * {@link #UNMASKED} (see raw, unmasked values) is only ever granted explicitly.
 */
public enum Role {
    /** Search, context, tail, export, field analysis. */
    VIEWER,
    /** Write log lines. */
    INGEST,
    /** Manage index sets, masking, tokens and spaces. */
    ADMIN,
    /** Read values without masking. */
    UNMASKED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The role of a wire name such as {@code viewer}; {@code bad_request}-worthy message otherwise. */
    public static Role parse(String name) {
        for (Role r : values()) if (r.wireName().equals(name)) return r;
        throw new IllegalArgumentException("unknown role '" + name + "'; roles are "
                + Arrays.stream(values()).map(Role::wireName).collect(Collectors.joining(", ")));
    }
}
