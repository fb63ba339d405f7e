package io.bklog.core.meta;

/** A row could not be saved because another row already has the same unique name or key. */
public final class DuplicateNameException extends MetadataException {
    private final String entity;
    private final String name;

    public DuplicateNameException(String entity, String name, Throwable cause) {
        super(entity + " '" + name + "' already exists; choose another name or update the existing one", cause);
        this.entity = entity;
        this.name = name;
    }

    public String entity() {
        return entity;
    }

    public String name() {
        return name;
    }
}
