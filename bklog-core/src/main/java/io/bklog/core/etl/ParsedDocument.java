package io.bklog.core.etl;

import java.time.Instant;
import java.util.Map;

/**
 * What the ETL made of one line.
 *
 * @param fields        flat document fields (nested JSON flattened with dots), including {@code log},
 *                      {@code dtEventTimeStamp} (epoch millis) and the failure marks
 * @param timestamp     the log time, or the ingest time when the line has none (see {@code __time_missing})
 * @param parseFailure  some part of the line failed to parse (the document is still complete: the line is in
 *                      {@code log})
 * @param failureReason why, or null
 * @param retain        false when {@code enable_retain_content} is off and the line failed: route it to the
 *                      dead-letter index set instead of the index set
 * @param timeFormat    the id of the format the time field was read with (for {@code auto}, the one recognised), or
 *                      null when the line has no time field or it did not parse
 */
public record ParsedDocument(Map<String, Object> fields, Instant timestamp, boolean parseFailure,
                             String failureReason, boolean retain, String timeFormat) {

    public ParsedDocument(Map<String, Object> fields, Instant timestamp, boolean parseFailure, String failureReason,
                          boolean retain) {
        this(fields, timestamp, parseFailure, failureReason, retain, null);
    }
}
