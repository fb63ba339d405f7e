package io.bklog.core.store;

import io.bklog.spi.LogStore;
import io.bklog.spi.SnapshotRepository;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One named storage cluster of a {@link RoutingLogStore}: its store and, when it has one, its own snapshot
 * repository (snapshots of a cluster's indices can only be taken by that cluster).
 *
 * @param name       the name index sets give as {@code storage_cluster}, {@code [a-z0-9][a-z0-9_-]*}
 * @param store      the cluster's store
 * @param repository the cluster's snapshot repository; null when it has none
 */
public record StoreCluster(String name, LogStore store, SnapshotRepository repository) {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}");

    public StoreCluster {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("storage cluster name '" + name + "' must match " + NAME.pattern());
        }
        Objects.requireNonNull(store, "store");
    }

    public static StoreCluster of(String name, LogStore store) {
        return new StoreCluster(name, store, null);
    }

    public Optional<SnapshotRepository> snapshotRepository() {
        return Optional.ofNullable(repository);
    }
}
