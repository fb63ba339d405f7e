package io.bklog.core.alert;

/**
 * Who changes alerting: the space, a name recorded as the rule's owner, the token id (null for the library) and
 * whether the caller holds {@code unmasked} (needed to make a rule that sends raw samples, and to query masked
 * fields).
 */
public record AlertCaller(String space, String name, Long tokenId, boolean unmasked) {
    /** A host application using the library: trusted like an {@code unmasked} token of the space. */
    public static AlertCaller library(String space) {
        return new AlertCaller(space, "library", null, true);
    }
}
