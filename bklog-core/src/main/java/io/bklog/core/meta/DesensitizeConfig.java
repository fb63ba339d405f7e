package io.bklog.core.meta;

import java.time.Instant;
import java.util.List;

/**
 * Which fields of an index set hold the raw log text (bklog {@code DesensitizeConfig.text_fields}): masking also
 * runs inside those. One per index set.
 */
public record DesensitizeConfig(long id, long indexSetId, List<String> textFields, long version, Instant createdAt,
                                Instant updatedAt) {

    public DesensitizeConfig {
        textFields = Rows.strings(textFields);
        createdAt = Rows.ms(createdAt);
        updatedAt = Rows.ms(updatedAt);
    }

    public static DesensitizeConfig of(long indexSetId, List<String> textFields) {
        return new DesensitizeConfig(0, indexSetId, textFields, 0, null, null);
    }

    public DesensitizeConfig withTextFields(List<String> newTextFields) {
        return new DesensitizeConfig(id, indexSetId, newTextFields, version, createdAt, updatedAt);
    }
}
