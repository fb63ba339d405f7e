package io.bklog.core.meta;

/**
 * An optimistic-lock conflict: the row was updated by someone else since the caller read it. Reload the row and
 * apply the change again.
 */
public final class MetadataConflictException extends MetadataException {
    private final String entity;
    private final String name;
    private final long currentVersion;
    private final long expectedVersion;

    public MetadataConflictException(String entity, String name, long currentVersion, long expectedVersion) {
        super(entity + " '" + name + "' was changed by someone else (version " + currentVersion + ", you had "
                + expectedVersion + "); reload and retry");
        this.entity = entity;
        this.name = name;
        this.currentVersion = currentVersion;
        this.expectedVersion = expectedVersion;
    }

    /** What kind of row, e.g. {@code index set}. */
    public String entity() {
        return entity;
    }

    public String name() {
        return name;
    }

    /** The version now stored. */
    public long currentVersion() {
        return currentVersion;
    }

    /** The version the caller's copy had. */
    public long expectedVersion() {
        return expectedVersion;
    }
}
