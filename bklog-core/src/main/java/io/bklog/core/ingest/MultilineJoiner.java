package io.bklog.core.ingest;

import io.bklog.spi.source.SourceLine;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Joins the lines of ONE source stream into events. Not thread-safe (one per stream; {@link MultilineAggregator}
 * handles many streams). The event keeps the offset, path and extras of its first line.
 */
public final class MultilineJoiner {

    private final MultilineConfig config;
    private SourceLine head;
    private StringBuilder text;
    private int lines;
    private boolean truncated;
    private boolean invalid;
    private Instant lastLine;

    public MultilineJoiner(MultilineConfig config) {
        this.config = config;
    }

    /** Adds a line; returns the events it completed (zero, one or two). */
    public List<SourceLine> offer(SourceLine line, Instant now) {
        List<SourceLine> done = new ArrayList<>(1);
        if (head != null && config.isFirstLine(line.text())) {
            done.add(complete());
        }
        if (head == null) {
            head = line;
            text = new StringBuilder(line.text());
            lines = 1;
            truncated = line.truncated();
            invalid = line.invalidUtf8();
        } else {
            text.append('\n').append(line.text());
            lines++;
            truncated |= line.truncated();
            invalid |= line.invalidUtf8();
        }
        lastLine = now;
        if (lines >= config.maxLines()) done.add(complete());
        return done;
    }

    /** Completes the pending event if no line came for the configured timeout. */
    public Optional<SourceLine> flushIfExpired(Instant now) {
        if (head != null && !now.isBefore(lastLine.plus(config.timeout()))) return Optional.of(complete());
        return Optional.empty();
    }

    /** Completes the pending event, if any (end of stream, shutdown). */
    public Optional<SourceLine> flush() {
        return head == null ? Optional.empty() : Optional.of(complete());
    }

    public boolean hasPending() {
        return head != null;
    }

    /** The offset of the first line of the open event, or -1 when none is open. */
    public long pendingOffset() {
        return head == null ? -1 : head.offset();
    }

    private SourceLine complete() {
        SourceLine ev = head.withText(text.toString()).withFlags(truncated, invalid);
        head = null;
        text = null;
        lines = 0;
        return ev;
    }

    /**
     * bklog's regex debug API ({@code log_sample} + {@code multiline_pattern}): how a sample splits into events.
     */
    public static List<String> debug(String logSample, MultilineConfig config) {
        MultilineJoiner j = new MultilineJoiner(config);
        List<String> events = new ArrayList<>();
        Instant t = Instant.EPOCH;
        long off = 0;
        for (String l : logSample.split("\r?\n", -1)) {
            for (SourceLine ev : j.offer(SourceLine.of("debug", off++, l, t), t)) events.add(ev.text());
        }
        j.flush().ifPresent(ev -> events.add(ev.text()));
        return events;
    }
}
