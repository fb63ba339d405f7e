package io.bklog.core.schedule;

/**
 * The code of a task. Returns a short result (may be null) kept in the task's status; throws to fail the run, which
 * is then retried with back-off up to the task's {@code maxRetries} and dead-lettered after. A handler should stop
 * when interrupted: that is how its timeout cancels it.
 */
@FunctionalInterface
public interface TaskHandler {
    String run(TaskContext context) throws Exception;
}
