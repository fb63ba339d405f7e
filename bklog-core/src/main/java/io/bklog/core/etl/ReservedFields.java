package io.bklog.core.etl;

import java.util.Locale;
import java.util.Set;

/**
 * Names an ETL field may not be stored under: bklog's built-in fields and aliases, its V4 pipeline node names, and
 * the fields this pipeline adds itself. Compared lower-case, as bklog does.
 */
public final class ReservedFields {

    /** bklog built-in fields and aliases (row/section scenarios and {@code LOG_BUILT_IN_FIELD_LIST}). */
    public static final Set<String> BKLOG_BUILT_IN = Set.of(
            "bk_host_id", "__ext", "ext", "cloudid", "serverip", "ip", "path", "filename", "gseindex",
            "iterationindex", "_iteration_idx", "dteventtimestamp", "utctime", "log", "data", "__ext_json",
            "ext_json", "__parse_failure", "time", "__module__", "__set__", "__shard_key__", "__unique_key__",
            "__bcs_cluster_name__", "__ipv6__", "__dist_01", "__dist_03", "__dist_05", "__dist_07", "__dist_09");

    /** bklog V4 (bkbase) pipeline node names ({@code V4_RESERVED_FIELD_NAMES}). */
    public static final Set<String> V4_RESERVED = Set.of(
            "json_data", "items", "iter_item", "iter_string", "bk_separator_object", "bk_separator_object_path");

    /** fields this pipeline adds. */
    public static final Set<String> PIPELINE = Set.of(
            "__parse_failure_reason", "__time_missing", "__truncated", "__invalid_utf8", "__pattern",
            "__pattern_label");

    private ReservedFields() {
    }

    /** Every reserved name, sorted, for error messages. */
    public static String list() {
        java.util.TreeSet<String> all = new java.util.TreeSet<>(BKLOG_BUILT_IN);
        all.addAll(V4_RESERVED);
        all.addAll(PIPELINE);
        return String.join(", ", all);
    }

    /** The alias suggested for a field named like a reserved one: {@code log_} + its name lower-cased. */
    public static String suggestedAlias(String name) {
        return "log_" + name.toLowerCase(Locale.ROOT).replaceAll("^_+", "");
    }

    /** Why {@code name} cannot be stored as is, and what to do: the reserved names and the alias to use. */
    public static String reservedMessage(String name) {
        return "'" + name + "' is a reserved field name (compared case-insensitively; reserved: " + list()
                + "); keep field_name '" + name + "' and set alias_name to store it under another name, e.g."
                + " alias_name: " + suggestedAlias(name);
    }

    public static boolean isReserved(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return BKLOG_BUILT_IN.contains(n) || V4_RESERVED.contains(n) || PIPELINE.contains(n);
    }
}
