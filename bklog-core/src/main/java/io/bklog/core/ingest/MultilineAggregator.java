package io.bklog.core.ingest;

import io.bklog.spi.source.SourceLine;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Multi-line joining for many source streams (keyed by {@link SourceLine#sourceId()}). Thread-safe. Expired events
 * are collected by {@link #flushExpired()}, which the owner calls periodically (e.g. from a scheduler); the clock is
 * injected so tests drive time.
 */
public final class MultilineAggregator {

    private final MultilineConfig config;
    private final Clock clock;
    private final Map<String, MultilineJoiner> joiners = new HashMap<>();

    public MultilineAggregator(MultilineConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    public MultilineConfig config() {
        return config;
    }

    /** Adds lines; returns the events completed, in order. */
    public synchronized List<SourceLine> offer(List<SourceLine> lines) {
        List<SourceLine> out = new ArrayList<>(lines.size());
        var now = clock.instant();
        for (SourceLine l : lines) {
            out.addAll(joiners.computeIfAbsent(l.sourceId(), k -> new MultilineJoiner(config)).offer(l, now));
        }
        return out;
    }

    /** Events whose stream has been quiet for the timeout. */
    public synchronized List<SourceLine> flushExpired() {
        List<SourceLine> out = new ArrayList<>();
        var now = clock.instant();
        Iterator<MultilineJoiner> it = joiners.values().iterator();
        while (it.hasNext()) {
            MultilineJoiner j = it.next();
            Optional<SourceLine> ev = j.flushIfExpired(now);
            ev.ifPresent(out::add);
            if (!j.hasPending()) it.remove();
        }
        return out;
    }

    /** Every pending event (shutdown). */
    public synchronized List<SourceLine> flushAll() {
        List<SourceLine> out = new ArrayList<>();
        for (MultilineJoiner j : joiners.values()) j.flush().ifPresent(out::add);
        joiners.clear();
        return out;
    }

    /**
     * The offset of the first line of the event still open in stream {@code sourceId}, or -1: a source that commits
     * offsets (Kafka) commits no further than it, so a crash loses none of the lines the event holds.
     */
    public synchronized long pendingOffset(String sourceId) {
        MultilineJoiner j = joiners.get(sourceId);
        return j == null ? -1 : j.pendingOffset();
    }

    public synchronized int pendingStreams() {
        return (int) joiners.values().stream().filter(MultilineJoiner::hasPending).count();
    }
}
