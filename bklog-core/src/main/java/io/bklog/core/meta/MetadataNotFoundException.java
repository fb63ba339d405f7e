package io.bklog.core.meta;

/** The row the caller named does not exist (or was deleted by someone else meanwhile). */
public final class MetadataNotFoundException extends MetadataException {
    private final String entity;
    private final String name;

    public MetadataNotFoundException(String entity, String name) {
        this(entity, name, entity + " '" + name + "' does not exist");
    }

    public MetadataNotFoundException(String entity, String name, String message) {
        super(message);
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
