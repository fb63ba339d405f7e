package io.bklog.core.meta;

import java.util.Optional;

/**
 * What {@link MetadataStore#migrate()} did.
 *
 * @param fromVersion schema version before, null for an empty database
 * @param toVersion   schema version after
 * @param applied     migrations run; 0 when the schema was already current
 */
public record MigrationResult(String fromVersion, String toVersion, int applied) {
    public Optional<String> from() {
        return Optional.ofNullable(fromVersion);
    }
}
