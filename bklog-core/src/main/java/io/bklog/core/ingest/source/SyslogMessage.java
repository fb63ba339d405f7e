package io.bklog.core.ingest.source;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A parsed syslog message (RFC 3164 or RFC 5424). Absent parts are null ({@code -} in RFC 5424 is absent).
 *
 * @param structuredData SD-ID → (param → value), RFC 5424 only
 */
public record SyslogMessage(Format format, int facility, int severity, Instant timestamp, String hostname,
                            String appName, String procId, String msgId, Map<String, Map<String, String>> structuredData,
                            String message) {

    public enum Format { RFC3164, RFC5424 }

    private static final String[] SEVERITIES = {"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"};
    private static final String[] FACILITIES = {"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
            "uucp", "cron", "authpriv", "ftp", "ntp", "security", "console", "solaris-cron", "local0", "local1",
            "local2", "local3", "local4", "local5", "local6", "local7"};

    public SyslogMessage {
        structuredData = structuredData == null ? Map.of() : structuredData;
    }

    public int priority() {
        return facility * 8 + severity;
    }

    public String severityLabel() {
        return severity >= 0 && severity < SEVERITIES.length ? SEVERITIES[severity] : String.valueOf(severity);
    }

    public String facilityLabel() {
        return facility >= 0 && facility < FACILITIES.length ? FACILITIES[facility] : String.valueOf(facility);
    }

    /**
     * Document fields, named as bklog's syslog filter fields: {@code priority}, {@code facility},
     * {@code facility_label}, {@code severity}, {@code severity_label}, {@code program}, {@code pid}, plus
     * {@code hostname}, {@code msgid} and {@code sd.<id>.<param>} for structured data.
     */
    public Map<String, Object> fields() {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("priority", (long) priority());
        f.put("facility", (long) facility);
        f.put("facility_label", facilityLabel());
        f.put("severity", (long) severity);
        f.put("severity_label", severityLabel());
        if (hostname != null) f.put("hostname", hostname);
        if (appName != null) f.put("program", appName);
        if (procId != null) f.put("pid", procId);
        if (msgId != null) f.put("msgid", msgId);
        structuredData.forEach((id, params) -> params.forEach((k, v) -> f.put("sd." + id + "." + k, v)));
        return f;
    }
}
