package io.bklog.core.alert;

import java.util.Map;

/** How numbers and sample documents read in messages. */
final class Values {
    private Values() {}

    /** {@code 12} for whole numbers, {@code 12.5} otherwise. */
    static String number(double v) {
        if (v == Math.rint(v) && !Double.isInfinite(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return String.format(java.util.Locale.ROOT, "%.2f", v);
    }

    /** One sample on one line: its {@code log} field when it has one, else its fields. */
    static String sampleLine(Map<String, Object> source) {
        Object log = source.get("log");
        String s = log != null ? String.valueOf(log) : source.toString();
        s = s.replace('\n', ' ').replace('\r', ' ');
        return s.length() > 2000 ? s.substring(0, 2000) + "..." : s;
    }
}
