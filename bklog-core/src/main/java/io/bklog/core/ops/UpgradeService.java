package io.bklog.core.ops;

import io.bklog.core.meta.MetadataDump;
import io.bklog.core.meta.MetadataStore;
import io.bklog.core.meta.MigrationResult;
import io.bklog.spi.LogStore;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SnapshotRepository;
import io.bklog.spi.SnapshotRepository.ProgressListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The guided upgrade: check health, take a full backup, stop ingest and drain, migrate the metadata schema, start
 * ingest, verify (health, schema current, the document count of every index set unchanged). When a step after the
 * backup fails, the metadata is put back from the backup (tables dropped, dump imported at its schema version) and
 * ingest restarted; the result names the failed step and why. Index data is not changed by an upgrade, so it stays
 * as it is; its snapshot in the backup is there for {@code bklog restore} should the store itself be lost.
 */
public final class UpgradeService {
    private static final Logger log = LoggerFactory.getLogger(UpgradeService.class);

    /** The steps, in order. */
    public enum Step { HEALTH, BACKUP, DRAIN, MIGRATE, START, VERIFY }

    /** What the upgrade needs from the running deployment; every default does nothing. */
    public interface Hooks {
        Hooks NONE = new Hooks() { };

        /** Problems that make the deployment unhealthy (empty = healthy). */
        default List<String> healthProblems() {
            return List.of();
        }

        /** Stops accepting logs and waits until buffered ones are stored. */
        default void stopIngestAndDrain() {
        }

        default void startIngest() {
        }
    }

    /** Brings the schema to the newest version; the default is {@link MetadataStore#migrate()}. */
    @FunctionalInterface
    public interface Migrator {
        MigrationResult migrate(MetadataStore meta);
    }

    /** The outcome; when {@code ok} is false, {@code failedStep} and {@code error} say what and why. */
    public record Result(boolean ok, String fromVersion, String toVersion, String backupId, Step failedStep,
                         String error, boolean rolledBack, Map<String, Long> docCounts) {
        public Result {
            docCounts = Map.copyOf(docCounts);
        }
    }

    private final MetadataStore meta;
    private final LogStore store;
    private final BackupService backups;
    private final Hooks hooks;
    private final Migrator migrator;

    public UpgradeService(MetadataStore meta, LogStore store, SnapshotRepository repository, Path backupLocation,
                          Clock clock, Hooks hooks, Migrator migrator) {
        this.meta = Objects.requireNonNull(meta, "meta");
        this.store = Objects.requireNonNull(store, "store");
        this.backups = new BackupService(meta, store, repository, backupLocation, clock);
        this.hooks = Objects.requireNonNull(hooks, "hooks");
        this.migrator = Objects.requireNonNull(migrator, "migrator");
    }

    public UpgradeService(MetadataStore meta, LogStore store, SnapshotRepository repository, Path backupLocation,
                          Clock clock) {
        this(meta, store, repository, backupLocation, clock, Hooks.NONE, MetadataStore::migrate);
    }

    public Result run() {
        return run(ProgressListener.NONE);
    }

    public Result run(ProgressListener progress) {
        String from = meta.schemaVersion().orElse(null);
        String target = meta.expectedSchemaVersion();
        Step step = Step.HEALTH;
        progress.onProgress(0.0, "checking health");
        Map<String, Long> before;
        try {
            meta.ping();
            List<String> problems = hooks.healthProblems();
            if (!problems.isEmpty()) throw new OpsException("unhealthy: " + String.join("; ", problems));
            before = counts();
        } catch (RuntimeException e) {
            return failed(from, null, step, e, false, Map.of());
        }
        step = Step.BACKUP;
        progress.onProgress(0.1, "full backup");
        BackupManifest backup;
        Set<String> tablesBefore;
        try {
            backup = backups.full((f, m) -> progress.onProgress(0.1 + f * 0.4, m));
            tablesBefore = new HashSet<>(SchemaDump.tables(meta));
        } catch (RuntimeException e) {
            return failed(from, null, step, e, false, before);
        }
        boolean stopped = false;
        try {
            step = Step.DRAIN;
            progress.onProgress(0.5, "stopping ingest and draining");
            hooks.stopIngestAndDrain();
            stopped = true;
            step = Step.MIGRATE;
            progress.onProgress(0.6, "migrating schema " + from + " -> " + target);
            MigrationResult m = migrator.migrate(meta);
            step = Step.START;
            progress.onProgress(0.8, "starting ingest");
            hooks.startIngest();
            stopped = false;
            step = Step.VERIFY;
            progress.onProgress(0.9, "verifying");
            verify(target, before);
            progress.onProgress(1.0, "upgraded " + from + " -> " + m.toVersion());
            log.info("upgrade done from={} to={} backup={} applied={}", from, m.toVersion(), backup.id(), m.applied());
            return new Result(true, from, m.toVersion(), backup.id(), null, null, false, before);
        } catch (RuntimeException e) {
            log.warn("upgrade failed step={} error={}; rolling back from backup={}", step, e.toString(), backup.id());
            progress.onProgress(0.95, "step " + step + " failed, restoring the metadata from backup " + backup.id());
            try {
                rollback(backup, tablesBefore);
                if (!stopped) hooks.stopIngestAndDrain();
                hooks.startIngest();
            } catch (RuntimeException r) {
                e.addSuppressed(r);
                log.error("upgrade rollback failed backup={} error={}", backup.id(), r.toString(), r);
                return new Result(false, from, meta.schemaVersion().orElse(null), backup.id(), step,
                        message(e) + "; the rollback failed too: " + message(r) + " (restore backup " + backup.id()
                                + " by hand with `bklog restore`)", false, before);
            }
            return failed(from, backup.id(), step, e, true, before);
        }
    }

    private Result failed(String from, String backupId, Step step, RuntimeException e, boolean rolledBack,
                          Map<String, Long> counts) {
        String why = message(e);
        log.warn("upgrade stopped step={} error={} rolled_back={}", step, why, rolledBack);
        return new Result(false, from, meta.schemaVersion().orElse(null), backupId, step,
                "step " + step + " failed: " + why + (rolledBack ? "; the metadata was restored from the backup" : ""),
                rolledBack, counts);
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return m == null ? e.toString() : m;
    }

    /** Documents per index set, as a search counts them. */
    private Map<String, Long> counts() {
        Map<String, Long> out = new TreeMap<>();
        for (String set : store.indexSets()) {
            store.refresh(set);
            out.put(set, store.search(SearchRequest.builder(set).size(0).build()).total());
        }
        return out;
    }

    private void verify(String target, Map<String, Long> before) {
        if (!meta.isSchemaCurrent()) {
            throw new OpsException("the schema is at " + meta.schemaVersion().orElse("none") + ", expected " + target);
        }
        meta.ping();
        List<String> problems = new ArrayList<>(hooks.healthProblems());
        Map<String, Long> after = counts();
        before.forEach((set, n) -> {
            Long now = after.get(set);
            if (!Objects.equals(now, n)) problems.add("index set " + set + " had " + n + " docs, now " + now);
        });
        if (!problems.isEmpty()) throw new OpsException(String.join("; ", problems));
    }

    /** Drops the tables the failed upgrade left (ours and any it created) and imports the backup's dump. */
    private void rollback(BackupManifest backup, Set<String> tablesBefore) {
        List<String> drop = new ArrayList<>();
        for (String t : SchemaDump.tables(meta)) {
            if (!tablesBefore.contains(t)) drop.add(t);
        }
        List<String> ours = new ArrayList<>(MetadataDump.TABLES);
        java.util.Collections.reverse(ours);
        for (String t : ours) if (!drop.contains(t)) drop.add(t);
        drop.add(MetadataStore.HISTORY_TABLE);
        SchemaDump.drop(meta, drop);
        try (InputStream in = backups.openDump(backup.id())) {
            meta.dump().importFrom(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the metadata dump of backup " + backup.id(), e);
        }
        log.info("upgrade rolled back backup={} schema={}", backup.id(), meta.schemaVersion().orElse(null));
    }
}
