package io.bklog.spi;

import java.util.List;
import java.util.Optional;

/**
 * What one configured backend offers. A backend implements the SPIs it can and returns empty for the others;
 * {@link #close()} releases everything it opened.
 */
public interface Backend extends AutoCloseable {

    String name();

    default Optional<LogStore> logStore() { return Optional.empty(); }

    default Optional<SnapshotRepository> snapshotRepository() { return Optional.empty(); }

    default Optional<IngestBuffer> ingestBuffer() { return Optional.empty(); }

    default Optional<TaskBroker> taskBroker() { return Optional.empty(); }

    default Optional<DistributedLock> distributedLock() { return Optional.empty(); }

    default List<HealthIndicator> healthIndicators() { return List.of(); }

    @Override
    default void close() {
    }
}
