package io.bklog.core.alert;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Fills a rule's message template: {@code {{name}}} is replaced by the value of {@code name}; unknown names stay. */
final class AlertTemplate {
    private static final Pattern VAR = Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_.-]*)\\s*}}");

    private AlertTemplate() {}

    static String render(String template, Map<String, String> values) {
        Matcher m = VAR.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = values.get(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(v == null ? m.group() : v));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * {@code text} if it has at most {@code max} characters, else its head followed by the marker
     * {@code \n… [truncated: N more characters]}, the whole at most {@code max} characters (a surrogate pair is
     * never split).
     */
    static String cap(String text, int max) {
        if (text == null || text.length() <= max) return text;
        int keep = max - marker(text.length()).length(); // the real count has no more digits than the length
        if (keep > 0 && Character.isHighSurrogate(text.charAt(keep - 1))) keep--;
        return text.substring(0, Math.max(0, keep)) + marker(text.length() - Math.max(0, keep));
    }

    private static String marker(int cut) {
        return "\n\u2026 [truncated: " + cut + " more characters]";
    }
}
