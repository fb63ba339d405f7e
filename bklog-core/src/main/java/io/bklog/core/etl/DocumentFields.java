package io.bklog.core.etl;

/** Names of the fields the ingest pipeline adds to documents (bklog's built-ins plus ours). */
public final class DocumentFields {
    /** the original line (bklog {@code retain_original_text}) */
    public static final String LOG = "log";
    /** the time field of every index set, epoch millis */
    public static final String TIME = "dtEventTimeStamp";
    /** boolean, set when any part of the line failed to parse (bklog {@code record_parse_failure}) */
    public static final String PARSE_FAILURE = "__parse_failure";
    /** why the line failed to parse */
    public static final String PARSE_FAILURE_REASON = "__parse_failure_reason";
    /** boolean, set when the configured time field was absent and the ingest time was used */
    public static final String TIME_MISSING = "__time_missing";
    /** boolean, set when the line was longer than the limit and cut */
    public static final String TRUNCATED = "__truncated";
    /** boolean, set when the line was not valid UTF-8 and bad bytes were replaced by U+FFFD */
    public static final String INVALID_UTF8 = "__invalid_utf8";
    /** prefix of JSON keys kept by {@code retain_extra_json} */
    public static final String EXT_JSON = "__ext_json";
    /** file path of a tailed file (bklog's {@code path}, alias {@code filename}) */
    public static final String PATH = "path";
    /** sender address (bklog's {@code serverIp}) */
    public static final String SERVER_IP = "serverIp";
    /** position of the line in its source (bklog's {@code gseIndex}) */
    public static final String OFFSET = "gseIndex";

    private DocumentFields() {
    }
}
