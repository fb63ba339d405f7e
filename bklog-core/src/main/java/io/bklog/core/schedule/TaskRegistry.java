package io.bklog.core.schedule;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tasks an instance knows, periodic and async, by unique name. Every instance of a deployment registers the
 * same tasks: the beat publishes the periodic ones, any worker runs any of them. Thread-safe.
 */
public final class TaskRegistry {

    private final Map<String, TaskSpec> tasks = new ConcurrentHashMap<>();

    /** Registers a task; a second task of the same name is refused. */
    public TaskRegistry register(TaskSpec task) {
        TaskSpec before = tasks.putIfAbsent(task.name(), task);
        if (before != null) {
            throw new IllegalArgumentException("a task named '" + task.name() + "' is already registered ("
                    + before.getClass().getSimpleName() + ")");
        }
        return this;
    }

    public Optional<TaskSpec> find(String name) {
        return Optional.ofNullable(tasks.get(name));
    }

    /** The periodic tasks, sorted by name. */
    public List<PeriodicTask> periodic() {
        List<PeriodicTask> out = new ArrayList<>();
        for (TaskSpec t : tasks.values()) if (t instanceof PeriodicTask p) out.add(p);
        out.sort((a, b) -> a.name().compareTo(b.name()));
        return List.copyOf(out);
    }

    /** Names of every registered task, sorted. */
    public List<String> names() {
        return List.copyOf(new TreeSet<>(tasks.keySet()));
    }
}
