package io.bklog.core.etl;

import java.util.Locale;

/** bklog's clean types ({@code etl_config}). Grok is {@link #REGEXP} with {@code is_grok}. */
public enum EtlType {
    /** stored as-is: the line goes to {@code log} */
    TEXT("bk_log_text"),
    JSON("bk_log_json"),
    DELIMITER("bk_log_delimiter"),
    REGEXP("bk_log_regexp");

    private final String bklogName;

    EtlType(String bklogName) {
        this.bklogName = bklogName;
    }

    /** bklog's name, e.g. {@code bk_log_json}. */
    public String bklogName() {
        return bklogName;
    }

    /**
     * Parses bklog's names ({@code bk_log_json}...) and the short ones ({@code text json delimiter regexp grok});
     * {@code grok} gives {@link #REGEXP} (the caller sets {@code is_grok}).
     */
    public static EtlType parse(String name) {
        if (name == null || name.isBlank()) return TEXT;
        String v = name.trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "bk_log_text", "text", "none", "" -> TEXT;
            case "bk_log_json", "json" -> JSON;
            case "bk_log_delimiter", "delimiter", "separator" -> DELIMITER;
            case "bk_log_regexp", "regexp", "regex", "grok" -> REGEXP;
            default -> throw new IllegalArgumentException("unknown etl_config '" + name
                    + "'; expected one of bk_log_text, bk_log_json, bk_log_delimiter, bk_log_regexp (or text, json, "
                    + "delimiter, regexp, grok)");
        };
    }

    static boolean isGrokName(String name) {
        return name != null && name.trim().equalsIgnoreCase("grok");
    }
}
