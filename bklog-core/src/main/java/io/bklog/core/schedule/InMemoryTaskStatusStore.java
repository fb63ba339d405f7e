package io.bklog.core.schedule;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** {@link TaskStatusStore} in this JVM, keeping the most recently updated {@code capacity} statuses (default 10,000). */
public final class InMemoryTaskStatusStore implements TaskStatusStore {

    private final Map<String, TaskStatus> statuses;

    public InMemoryTaskStatusStore() {
        this(10_000);
    }

    public InMemoryTaskStatusStore(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        this.statuses = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, TaskStatus> eldest) {
                return size() > capacity;
            }
        };
    }

    @Override
    public synchronized void put(TaskStatus status) {
        statuses.remove(status.id());
        statuses.put(status.id(), status);
    }

    @Override
    public synchronized Optional<TaskStatus> get(String id) {
        return Optional.ofNullable(statuses.get(id));
    }
}
