package io.bklog.core.alert;

import java.util.Locale;

/**
 * The state of a rule: {@code ok}, {@code pending} (the condition holds, for less than the rule's {@code for}),
 * {@code firing}, {@code resolved} (it fired and the condition no longer holds; {@code ok} at the next evaluation
 * that stays so) and {@code no_data} (the index set had no line at all in the window, for a condition that needs
 * some).
 */
public enum AlertState {
    OK, PENDING, FIRING, RESOLVED, NO_DATA;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static AlertState parse(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }
}
