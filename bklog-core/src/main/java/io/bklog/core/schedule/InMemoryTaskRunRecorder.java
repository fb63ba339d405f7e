package io.bklog.core.schedule;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** {@link TaskRunRecorder} in this JVM: the last {@code capacity} runs (default 10,000) and their succeeded run ids. */
public final class InMemoryTaskRunRecorder implements TaskRunRecorder {

    private final int capacity;
    private final Deque<TaskRun> runs = new ArrayDeque<>();
    private final Set<String> succeeded = new LinkedHashSet<>();

    public InMemoryTaskRunRecorder() {
        this(10_000);
    }

    public InMemoryTaskRunRecorder(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        this.capacity = capacity;
    }

    @Override
    public synchronized void record(TaskRun run) {
        runs.addFirst(run);
        while (runs.size() > capacity) runs.removeLast();
        if (run.outcome() == TaskRun.Outcome.SUCCESS && succeeded.add(run.runId()) && succeeded.size() > capacity) {
            Iterator<String> it = succeeded.iterator();
            it.next();
            it.remove();
        }
    }

    @Override
    public synchronized boolean succeeded(String runId) {
        return succeeded.contains(runId);
    }

    @Override
    public synchronized List<TaskRun> recent(String task, int limit) {
        List<TaskRun> out = new ArrayList<>();
        for (TaskRun r : runs) {
            if (out.size() >= limit) break;
            if (r.task().equals(task)) out.add(r);
        }
        return List.copyOf(out);
    }

    @Override
    public synchronized List<TaskRun> recent(int limit) {
        return runs.stream().limit(Math.max(0, limit)).toList();
    }

    @Override
    public synchronized long failedSince(java.time.Instant since) {
        return runs.stream().filter(r -> r.outcome() != TaskRun.Outcome.SUCCESS && !r.endedAt().isBefore(since))
                .count();
    }

    /** Every kept run, newest first. */
    public synchronized List<TaskRun> all() {
        return List.copyOf(runs);
    }
}
