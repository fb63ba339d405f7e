package io.bklog.redis;

import io.bklog.spi.TaskMessage;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Encodes a {@link TaskMessage} as one string field of a stream entry: version tag {@code t1}, then id, queue,
 * task, attempt, notBefore and the argument pairs, each as {@code <length>:<chars>} so any character is safe.
 */
final class MessageCodec {

    private static final String VERSION = "t1";

    private MessageCodec() {}

    static String encode(TaskMessage m) {
        StringBuilder sb = new StringBuilder(64 + m.args().size() * 16);
        put(sb, VERSION);
        put(sb, m.id());
        put(sb, m.queue());
        put(sb, m.task());
        put(sb, Integer.toString(m.attempt()));
        put(sb, Long.toString(m.notBeforeMillis()));
        for (Map.Entry<String, String> e : new TreeMap<>(m.args()).entrySet()) {
            put(sb, e.getKey());
            put(sb, e.getValue());
        }
        return sb.toString();
    }

    static TaskMessage decode(String s) {
        if (s == null) throw new IllegalArgumentException("stream entry has no field 'm' holding the task message");
        List<String> parts = new ArrayList<>();
        int i = 0;
        try {
            while (i < s.length()) {
                int colon = s.indexOf(':', i);
                int len = Integer.parseInt(s, i, colon, 10);
                parts.add(s.substring(colon + 1, colon + 1 + len));
                i = colon + 1 + len;
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("corrupt task message at char " + i + ": " + abbreviate(s), e);
        }
        if (parts.size() < 6 || parts.size() % 2 != 0 || !VERSION.equals(parts.get(0))) {
            throw new IllegalArgumentException("not a bklog task message (expected version " + VERSION + "): "
                    + abbreviate(s));
        }
        Map<String, String> args = new LinkedHashMap<>();
        for (int k = 6; k < parts.size(); k += 2) args.put(parts.get(k), parts.get(k + 1));
        return new TaskMessage(parts.get(1), parts.get(2), parts.get(3), args, Integer.parseInt(parts.get(4)),
                Long.parseLong(parts.get(5)));
    }

    private static void put(StringBuilder sb, String v) {
        sb.append(v.length()).append(':').append(v);
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
