package io.bklog.core.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bklog.core.meta.AsyncTask;
import io.bklog.core.meta.AsyncTaskRepository;
import io.bklog.core.meta.DuplicateNameException;
import io.bklog.core.meta.MetadataConflictException;
import io.bklog.core.meta.MetadataNotFoundException;
import io.bklog.core.meta.MetadataStore;

import java.util.Objects;
import java.util.Optional;

/**
 * {@link TaskStatusStore} in the metadata database ({@code async_tasks}), so every instance reads the status of a task
 * another instance queued or runs. {@code QUEUED}, {@code RUNNING}, {@code DONE}, {@code FAILED} are stored as
 * {@code pending}, {@code running}, {@code success}, {@code failed}; the task name is the row's kind, and the result
 * and attempt are kept in its JSON result. A progress report that arrives after the task's attempt has finished
 * (a handler still running past its timeout) does not overwrite the finished status.
 */
public final class MetadataTaskStatusStore implements TaskStatusStore {
    private static final int WRITE_TRIES = 5;

    private final AsyncTaskRepository tasks;

    public MetadataTaskStatusStore(MetadataStore meta) {
        this.tasks = Objects.requireNonNull(meta, "meta").asyncTasks();
    }

    @Override
    public void put(TaskStatus status) {
        for (int i = 1; ; i++) {
            try {
                write(status);
                return;
            } catch (DuplicateNameException | MetadataConflictException | MetadataNotFoundException e) {
                // changed, created or removed meanwhile (a backup restore clears the table): read it again
                if (i >= WRITE_TRIES) throw e;
            }
        }
    }

    private void write(TaskStatus status) {
        Optional<AsyncTask> before = tasks.findById(status.id());
        if (before.isPresent()) {
            TaskStatus old = toStatus(before.get());
            if (old.finished() && !status.finished() && status.state() != TaskStatus.State.QUEUED
                    && status.attempt() <= old.attempt()) {
                return;
            }
        }
        ObjectNode result = JsonNodeFactory.instance.objectNode();
        result.put("attempt", status.attempt());
        if (status.result() != null) result.put("result", status.result());
        AsyncTask row = new AsyncTask(status.id(), status.task(), stored(status.state()), status.progress(),
                status.message(), result, before.map(AsyncTask::version).orElse(0L), null, null);
        if (before.isPresent()) tasks.update(row); else tasks.create(row);
    }

    @Override
    public Optional<TaskStatus> get(String id) {
        return tasks.findById(id).map(MetadataTaskStatusStore::toStatus);
    }

    private static String stored(TaskStatus.State state) {
        return switch (state) {
            case QUEUED -> AsyncTask.PENDING;
            case RUNNING -> AsyncTask.RUNNING;
            case DONE -> AsyncTask.SUCCESS;
            case FAILED -> AsyncTask.FAILED;
        };
    }

    static TaskStatus toStatus(AsyncTask row) {
        TaskStatus.State state = switch (row.status()) {
            case AsyncTask.RUNNING -> TaskStatus.State.RUNNING;
            case AsyncTask.SUCCESS -> TaskStatus.State.DONE;
            case AsyncTask.FAILED -> TaskStatus.State.FAILED;
            default -> TaskStatus.State.QUEUED;
        };
        JsonNode r = row.result();
        int attempt = r != null && r.hasNonNull("attempt") ? r.get("attempt").asInt(1) : 1;
        String result = r != null && r.hasNonNull("result") ? r.get("result").asText() : null;
        return new TaskStatus(row.id(), row.kind(), state, row.progress(), row.message(), result, attempt,
                row.createdAt(), row.updatedAt());
    }
}
