package io.bklog.core.ingest;

import io.bklog.core.regex.SafePattern;
import io.bklog.core.regex.UserRegex;

import java.time.Duration;
import java.util.Objects;

/**
 * bklog's "section" (multi-line) scenario: a line matching {@code firstLinePattern} starts an event; following lines
 * are appended until the next first line, {@code maxLines} lines, or {@code timeout} without a new line. The pattern
 * is RE2 syntax ({@link SafePattern}), matched in linear time.
 *
 * @param maxLines at most 5000 (bklog's {@code multiline_max_lines}); default 50
 * @param timeout  at most 10 s (bklog's {@code multiline_timeout}); default 2 s
 */
public record MultilineConfig(SafePattern firstLinePattern, int maxLines, Duration timeout) {

    public static final int MAX_LINES_LIMIT = 5000;
    public static final Duration TIMEOUT_LIMIT = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_LINES = 50;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

    public MultilineConfig {
        Objects.requireNonNull(firstLinePattern, "firstLinePattern");
        if (maxLines < 1 || maxLines > MAX_LINES_LIMIT) {
            throw new IllegalArgumentException("multiline_max_lines " + maxLines + " must be within 1.." + MAX_LINES_LIMIT);
        }
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(TIMEOUT_LIMIT) > 0) {
            throw new IllegalArgumentException("multiline_timeout " + timeout.toMillis() + " ms must be within (0, 10 s]");
        }
    }

    /**
     * From a {@code java.util.regex} pattern (kept for library callers): its text is compiled as RE2 syntax, so it
     * is matched in linear time; its flags are not carried over.
     *
     * @throws UserRegex.InvalidRegexException when the pattern uses what RE2 lacks (lookaround, backreferences)
     */
    public MultilineConfig(java.util.regex.Pattern firstLinePattern, int maxLines, Duration timeout) {
        this(SafePattern.compile(firstLinePattern.pattern()), maxLines, timeout);
    }

    /** From bklog's parameters: {@code multiline_pattern}, {@code multiline_max_lines}, {@code multiline_timeout} (s). */
    public static MultilineConfig of(String pattern, Integer maxLines, Integer timeoutSeconds) {
        if (pattern == null || pattern.isEmpty()) {
            throw new IllegalArgumentException("multiline_pattern is required for the section scenario");
        }
        SafePattern p;
        try {
            p = SafePattern.compile(pattern);
        } catch (UserRegex.InvalidRegexException e) {
            throw new IllegalArgumentException("multiline_pattern is not a valid regex: " + e.getMessage()
                    + (e.index() >= 0 ? " near index " + e.index() : ""));
        }
        return new MultilineConfig(p, maxLines == null ? DEFAULT_MAX_LINES : maxLines,
                timeoutSeconds == null ? DEFAULT_TIMEOUT : Duration.ofSeconds(timeoutSeconds));
    }

    public boolean isFirstLine(String line) {
        return firstLinePattern.find(line);
    }
}
