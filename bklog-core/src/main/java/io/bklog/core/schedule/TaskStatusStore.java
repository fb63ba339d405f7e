package io.bklog.core.schedule;

import java.util.Optional;

/** Keeps the status of ad-hoc tasks by id; shared by every instance in a multi-instance deployment. */
public interface TaskStatusStore {

    void put(TaskStatus status);

    Optional<TaskStatus> get(String id);
}
