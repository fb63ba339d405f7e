package io.bklog.core.etl;

/**
 * One problem in an ETL config.
 *
 * @param path    where, e.g. {@code etl_params.separator_regexp} or {@code fields[2].time_format}
 * @param field   the field name concerned, or null
 * @param message what is wrong and what was expected
 */
public record EtlConfigError(String path, String field, String message) {
    @Override
    public String toString() {
        return path + (field != null ? " (field '" + field + "')" : "") + ": " + message;
    }
}
