package io.bklog.core.meta;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;

/**
 * A collector: where logs come from, how lines are joined and parsed, and which index set they go to. The JSON
 * parts follow bklog's serializers; they are kept as JSON so the ingest and ETL packages own their shape.
 *
 * @param sourceType   bklog scenario: {@code row}, {@code section}, {@code syslog}, {@code kafka}, {@code http}...
 * @param sourceParams source settings (paths, ports, topics...); default {@code {}}
 * @param filters      bklog {@code conditions}; default {@code []}
 * @param multiline    {@code multiline_pattern}, {@code multiline_max_lines}, {@code multiline_timeout}; default
 *                     {@code {}}
 * @param etlConfig    {@code bk_log_text}, {@code bk_log_json}, {@code bk_log_delimiter}, {@code bk_log_regexp}...
 * @param etlParams    bklog {@code etl_params}; default {@code {}}
 * @param fields       bklog {@code fields} (ETL field rules); default {@code []}
 * @param active       false = stopped
 * @param targets      the hosts that run it ({@code bklog agent}): host names, IPs, CIDRs or {@code label:key=value};
 *                     default {@code []} = none, the server instances with the {@code collect} role run it
 */
public record CollectorConfig(long id, String name, long indexSetId, String sourceType, JsonNode sourceParams,
                              JsonNode filters, JsonNode multiline, String etlConfig, JsonNode etlParams,
                              JsonNode fields, boolean active, String description, long version, Instant createdAt,
                              Instant updatedAt, JsonNode targets) {

    public CollectorConfig {
        Rows.max(Rows.required(name, "collector config name"), 255, "collector config name");
        Rows.max(Rows.required(sourceType, "source type of collector '" + name + "'"), 64, "source type");
        Rows.max(Rows.required(etlConfig, "etl config of collector '" + name + "'"), 64, "etl config");
        sourceParams = Rows.object(sourceParams);
        filters = Rows.array(filters);
        multiline = Rows.object(multiline);
        etlParams = Rows.object(etlParams);
        fields = Rows.array(fields);
        createdAt = Rows.ms(createdAt);
        updatedAt = Rows.ms(updatedAt);
        targets = Rows.array(targets);
    }

    /** A collector without targets (run by the server instances with the {@code collect} role). */
    public CollectorConfig(long id, String name, long indexSetId, String sourceType, JsonNode sourceParams,
                           JsonNode filters, JsonNode multiline, String etlConfig, JsonNode etlParams,
                           JsonNode fields, boolean active, String description, long version, Instant createdAt,
                           Instant updatedAt) {
        this(id, name, indexSetId, sourceType, sourceParams, filters, multiline, etlConfig, etlParams, fields, active,
                description, version, createdAt, updatedAt, null);
    }

    /** Whether agents run it (it names targets) rather than the server instances with the collect role. */
    public boolean targeted() {
        return !targets.isEmpty();
    }

    public CollectorConfig withTargets(JsonNode newTargets) {
        return new CollectorConfig(id, name, indexSetId, sourceType, sourceParams, filters, multiline, etlConfig,
                etlParams, fields, active, description, version, createdAt, updatedAt, newTargets);
    }

    /** A new, active collector with empty filters, multiline, ETL params and fields. */
    public static CollectorConfig of(String name, long indexSetId, String sourceType, JsonNode sourceParams,
                                     String etlConfig) {
        return new CollectorConfig(0, name, indexSetId, sourceType, sourceParams, null, null, etlConfig, null, null,
                true, null, 0, null, null);
    }

    public CollectorConfig withEtl(String newEtlConfig, JsonNode newEtlParams, JsonNode newFields) {
        return new CollectorConfig(id, name, indexSetId, sourceType, sourceParams, filters, multiline, newEtlConfig,
                newEtlParams, newFields, active, description, version, createdAt, updatedAt, targets);
    }

    public CollectorConfig withSource(String newSourceType, JsonNode newSourceParams, JsonNode newFilters,
                                      JsonNode newMultiline) {
        return new CollectorConfig(id, name, indexSetId, newSourceType, newSourceParams, newFilters, newMultiline,
                etlConfig, etlParams, fields, active, description, version, createdAt, updatedAt, targets);
    }

    public CollectorConfig withActive(boolean newActive) {
        return new CollectorConfig(id, name, indexSetId, sourceType, sourceParams, filters, multiline, etlConfig,
                etlParams, fields, newActive, description, version, createdAt, updatedAt, targets);
    }
}
