package io.bklog.core.ingest.source;

import io.bklog.core.etl.time.TimeFormat;
import io.bklog.core.etl.time.TimeFormats;
import io.bklog.core.etl.time.TimeParseException;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parses syslog messages: RFC 5424 ({@code <PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG}) and RFC 3164 /
 * BSD ({@code <PRI>Mmm dd hh:mm:ss HOST TAG[PID]: MSG}, leniently: missing host, ISO timestamps). A message that
 * has no valid {@code <PRI>} is kept whole as the message, with priority 13 (user.notice) as RFC 3164 says.
 * Thread-safe.
 */
public final class SyslogParser {

    private static final TimeFormat BSD = TimeFormats.get("syslog");
    private static final TimeFormat ISO = TimeFormats.get("iso8601");

    private final ZoneOffset zone;

    /** @param zone offset of RFC 3164 timestamps, which carry none */
    public SyslogParser(ZoneOffset zone) {
        this.zone = zone;
    }

    public SyslogParser() {
        this(ZoneOffset.UTC);
    }

    /** Parses one message; {@code now} infers the year of RFC 3164 timestamps. Never throws. */
    public SyslogMessage parse(String raw, Instant now) {
        String s = raw;
        while (!s.isEmpty() && (s.charAt(s.length() - 1) == '\n' || s.charAt(s.length() - 1) == '\r' || s.charAt(s.length() - 1) == 0)) {
            s = s.substring(0, s.length() - 1);
        }
        int pri = -1;
        int pos = 0;
        if (s.startsWith("<")) {
            int end = s.indexOf('>');
            if (end > 1 && end <= 4) {
                try {
                    pri = Integer.parseInt(s.substring(1, end));
                    if (pri > 191) pri = -1;
                } catch (NumberFormatException e) {
                    pri = -1;
                }
                if (pri >= 0) pos = end + 1;
            }
        }
        if (pri < 0) {
            return new SyslogMessage(SyslogMessage.Format.RFC3164, 1, 5, null, null, null, null, null, null, s);
        }
        int facility = pri / 8;
        int severity = pri % 8;
        if (s.startsWith("1 ", pos)) {
            SyslogMessage m = rfc5424(s, pos + 2, facility, severity);
            if (m != null) return m;
        }
        return rfc3164(s, pos, facility, severity, now);
    }

    private SyslogMessage rfc5424(String s, int pos, int facility, int severity) {
        String[] head = new String[5];
        for (int i = 0; i < 5; i++) {
            int sp = s.indexOf(' ', pos);
            if (sp < 0) {
                if (i == 4) {
                    head[i] = s.substring(pos);
                    pos = s.length();
                    break;
                }
                return null;
            }
            head[i] = s.substring(pos, sp);
            pos = sp + 1;
        }
        Instant ts = null;
        if (!"-".equals(head[0])) {
            try {
                ts = ISO.parse(head[0], ZoneOffset.UTC, Instant.now());
            } catch (TimeParseException e) {
                return null;
            }
        }
        Map<String, Map<String, String>> sd = new LinkedHashMap<>();
        if (pos < s.length()) {
            if (s.charAt(pos) == '-') {
                pos++;
            } else if (s.charAt(pos) == '[') {
                pos = structuredData(s, pos, sd);
                if (pos < 0) return null;
            }
        }
        if (pos < s.length() && s.charAt(pos) == ' ') pos++;
        String msg = pos < s.length() ? s.substring(pos) : "";
        if (msg.startsWith("\uFEFF")) msg = msg.substring(1); // UTF-8 BOM marker
        return new SyslogMessage(SyslogMessage.Format.RFC5424, facility, severity, ts, nil(head[1]), nil(head[2]),
                nil(head[3]), nil(head[4]), sd, msg);
    }

    /** Reads {@code [id k="v" ...][id2 ...]}; returns the position after it, or -1 when malformed. */
    private static int structuredData(String s, int pos, Map<String, Map<String, String>> out) {
        int n = s.length();
        while (pos < n && s.charAt(pos) == '[') {
            pos++;
            int idEnd = pos;
            while (idEnd < n && s.charAt(idEnd) != ' ' && s.charAt(idEnd) != ']') idEnd++;
            if (idEnd >= n) return -1;
            String id = s.substring(pos, idEnd);
            Map<String, String> params = new LinkedHashMap<>();
            pos = idEnd;
            while (pos < n && s.charAt(pos) == ' ') {
                pos++;
                int eq = s.indexOf('=', pos);
                if (eq < 0 || eq + 1 >= n || s.charAt(eq + 1) != '"') return -1;
                String name = s.substring(pos, eq);
                StringBuilder v = new StringBuilder();
                int i = eq + 2;
                while (i < n && s.charAt(i) != '"') {
                    char c = s.charAt(i);
                    if (c == '\\' && i + 1 < n && (s.charAt(i + 1) == '"' || s.charAt(i + 1) == '\\' || s.charAt(i + 1) == ']')) {
                        v.append(s.charAt(i + 1));
                        i += 2;
                    } else {
                        v.append(c);
                        i++;
                    }
                }
                if (i >= n) return -1;
                params.put(name, v.toString());
                pos = i + 1;
            }
            if (pos >= n || s.charAt(pos) != ']') return -1;
            out.put(id, params);
            pos++;
        }
        return pos;
    }

    private SyslogMessage rfc3164(String s, int pos, int facility, int severity, Instant now) {
        Instant ts = null;
        // BSD timestamp "Mmm dd hh:mm:ss" (15 chars) or an ISO one up to the next space
        if (s.length() >= pos + 15) {
            try {
                ts = BSD.parse(s.substring(pos, pos + 15), zone, now);
                pos += 15;
            } catch (TimeParseException e) {
                ts = null;
            }
        }
        if (ts == null) {
            int sp = s.indexOf(' ', pos);
            if (sp > pos && Character.isDigit(s.charAt(pos))) {
                try {
                    ts = ISO.parse(s.substring(pos, sp), zone, now);
                    pos = sp;
                } catch (TimeParseException e) {
                    ts = null;
                }
            }
        }
        if (pos < s.length() && s.charAt(pos) == ' ') pos++;
        String host = null;
        if (ts != null) {
            // a host is a word followed by a space, not a tag ("sshd[1]:" or "su:")
            int sp = s.indexOf(' ', pos);
            if (sp > pos) {
                String word = s.substring(pos, sp);
                if (!word.endsWith(":") && !word.contains("[")) {
                    host = word;
                    pos = sp + 1;
                }
            }
        }
        String app = null;
        String pid = null;
        int tagEnd = pos;
        int n = s.length();
        while (tagEnd < n && tagEnd - pos <= 48) {
            char c = s.charAt(tagEnd);
            if (c == ':' || c == '[' || c == ' ') break;
            tagEnd++;
        }
        if (tagEnd < n && tagEnd > pos) {
            char c = s.charAt(tagEnd);
            if (c == '[') {
                int close = s.indexOf(']', tagEnd);
                if (close > 0 && close + 1 < n && s.charAt(close + 1) == ':') {
                    app = s.substring(pos, tagEnd);
                    pid = s.substring(tagEnd + 1, close);
                    pos = close + 2;
                }
            } else if (c == ':') {
                app = s.substring(pos, tagEnd);
                pos = tagEnd + 1;
            }
        }
        if (pos < n && s.charAt(pos) == ' ') pos++;
        return new SyslogMessage(SyslogMessage.Format.RFC3164, facility, severity, ts, host, app, pid, null, null,
                pos <= n ? s.substring(pos) : "");
    }

    private static String nil(String v) {
        return v == null || v.equals("-") ? null : v;
    }
}
