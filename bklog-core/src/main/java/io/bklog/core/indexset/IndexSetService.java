package io.bklog.core.indexset;

import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.core.meta.DuplicateNameException;
import io.bklog.core.meta.IndexSet;
import io.bklog.core.meta.IndexSetRepository;
import io.bklog.core.meta.MetadataConflictException;
import io.bklog.core.store.StorageTopology;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.IndexInfo;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Creates, updates and lists index sets, kept in the metadata database ({@link IndexSetRepository}). Each change is
 * applied to the store first ({@link LogStore#ensureIndexSet}) and then recorded, so a recorded index set always
 * has its mapping.
 */
public final class IndexSetService {
    private static final Logger log = LoggerFactory.getLogger(IndexSetService.class);

    public static final String DEFAULT_TIME_FIELD = IndexSetSchema.DEFAULT_TIME_FIELD;
    /** bklog's standard fields of a collected log line. */
    public static final List<FieldSpec> DEFAULT_FIELDS = List.of(
            FieldSpec.of("log", FieldType.TEXT),
            FieldSpec.of("serverIp", FieldType.KEYWORD),
            FieldSpec.of("path", FieldType.KEYWORD),
            FieldSpec.of("gseIndex", FieldType.LONG),
            FieldSpec.of("iterationIndex", FieldType.LONG));
    /** bklog's {@code DEFAULT_RETENTION}. */
    public static final int DEFAULT_RETENTION_DAYS = IndexSet.DEFAULT_RETENTION_DAYS;
    public static final int DEFAULT_SHARDS = 1;
    public static final int DEFAULT_REPLICAS = 0;

    /** Lower-case because names become part of physical index names, which Elasticsearch requires lower-case. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_]{0,127}");

    private final IndexSetRepository repository;
    private final LogStore store;
    private final String spaceUid;
    /** The storage clusters index sets live in; routed when there are several. */
    private final StorageTopology topology;

    /** @param spaceUid the space new index sets belong to */
    public IndexSetService(IndexSetRepository repository, LogStore store, String spaceUid) {
        this(repository, StorageTopology.single(store, null), spaceUid);
    }

    /**
     * @param topology the storage clusters (and the store) index sets are created in
     * @param spaceUid the space new index sets belong to
     */
    public IndexSetService(IndexSetRepository repository, StorageTopology topology, String spaceUid) {
        this.repository = Objects.requireNonNull(repository, "repository");
        this.topology = Objects.requireNonNull(topology, "topology");
        this.store = topology.store();
        this.spaceUid = Objects.requireNonNull(spaceUid, "spaceUid");
    }

    /** The storage clusters index sets may name, the default first. */
    public List<String> storageClusters() {
        return topology.clusterNames();
    }

    /** The cluster an index set's indices live in (its {@code storage_cluster}, else the default cluster). */
    public String storageClusterOf(IndexSet indexSet) {
        return indexSet.storageCluster() != null ? indexSet.storageCluster() : topology.defaultCluster();
    }

    /** The outcome of {@link #put}: the index set as stored, and whether it was new. */
    public record PutResult(IndexSet indexSet, boolean created) {}

    /** Creates the index set; fails with {@link ErrorCode#INDEX_SET_EXISTS} when it exists. */
    public synchronized IndexSet create(String name, IndexSetSpec spec) {
        validateName(name);
        if (repository.findByName(name).isPresent()) throw exists(name, null);
        IndexSet created = apply(fresh(name, spec), true);
        changed(null, created);
        return created;
    }

    /** Updates an existing index set: adds fields, changes retention, shards (new indices), replicas. */
    public synchronized IndexSet update(String name, IndexSetSpec spec) {
        IndexSet before = get(name);
        IndexSet after = fieldsAdded(before, apply(merged(before, spec), false));
        changed(before, after);
        return after;
    }

    private volatile java.util.function.Consumer<String> onFieldsAdded = name -> { };

    /**
     * Called with the index set's name whenever fields are added to an existing index set explicitly (PUT, update)
     * — not by dynamic mapping, which maps a field before the first document that has it: the platform queues a
     * reindex so the new fields are searchable in documents stored before.
     */
    public void onFieldsAdded(java.util.function.Consumer<String> listener) {
        this.onFieldsAdded = Objects.requireNonNull(listener, "listener");
    }

    private IndexSet fieldsAdded(IndexSet before, IndexSet after) {
        // a change of log clustering re-mines (patterns_remine), which writes every document again under the new
        // mapping: a reindex besides would race it
        boolean remined = before.patterns().miningChangedBy(after.patterns());
        if (after.fields().size() > before.fields().size() && !remined) {
            try {
                onFieldsAdded.accept(after.name());
            } catch (RuntimeException e) {
                log.warn("event=reindex_not_queued index_set={} reason=\"{}\"", after.name(), e.toString());
            }
        }
        return after;
    }

    /** Creates the index set, or updates it when it exists (HTTP PUT). */
    public synchronized PutResult put(String name, IndexSetSpec spec) {
        return put(name, spec, spaceUid);
    }

    /**
     * Creates the index set in {@code space}, or updates it when it exists in that space. Names are unique across
     * spaces (they name the physical indices), so a name taken by another space fails with
     * {@link ErrorCode#INDEX_SET_EXISTS}, saying nothing else about it.
     */
    public synchronized PutResult put(String name, IndexSetSpec spec, String space) {
        validateName(name);
        Objects.requireNonNull(space, "space");
        Optional<IndexSet> current = repository.findByName(name);
        if (current.isPresent() && !current.get().spaceUid().equals(space)) {
            throw new BklogException(ErrorCode.INDEX_SET_EXISTS, "index set name '" + name + "' is taken by another"
                    + " space (names are unique across spaces because they name the physical indices); pick another"
                    + " name", "name");
        }
        PutResult r = current.map(c -> new PutResult(fieldsAdded(c, apply(merged(c, spec), false)), false))
                .orElseGet(() -> new PutResult(apply(fresh(name, spec, space), true), true));
        changed(current.orElse(null), r.indexSet());
        return r;
    }

    /** The index set, or {@link ErrorCode#INDEX_SET_NOT_FOUND} naming the ones that exist. */
    public IndexSet get(String name) {
        return find(name).orElseThrow(() -> notFound(name));
    }

    /**
     * The index set of {@code name}, or of the Elasticsearch index name it was auto-created for
     * ({@code logs-nginx-default} → {@code nginx}, {@code sng-test} → {@code sng_test}): an alias that search and
     * {@code _bulk} accept. Only names that cannot be index set names are read as aliases.
     */
    public Optional<IndexSet> find(String name) {
        Optional<IndexSet> direct = repository.findByName(name);
        if (direct.isPresent() || name == null || NAME.matcher(name).matches()) return direct;
        String alias = io.bklog.core.ingest.source.EsIndexMapping.autoCreateName(name);
        return alias == null ? direct : repository.findByName(alias);
    }

    /**
     * How long {@link #findRecent} may answer what it read before: a change made on another instance (another
     * server on the same metadata database), or written to the database around this service (a metadata restore), is
     * seen within this time; a change made through this service is seen at once.
     */
    public static final java.time.Duration RECENT_TTL = java.time.Duration.ofSeconds(1);
    private static final int RECENT_MAX = 10_000;
    private static final int RECENT_NAME_MAX = 255;

    /** What {@link #findRecent} read, when, and the {@link #generation} it was read in. */
    private record Recent(Optional<IndexSet> indexSet, long readAtNanos, long generation) {}

    private final java.util.concurrent.ConcurrentHashMap<String, Recent> recent =
            new java.util.concurrent.ConcurrentHashMap<>();
    /** Counts the writes through this service: each makes every {@link #findRecent} answer read again. */
    private final java.util.concurrent.atomic.AtomicLong generation = new java.util.concurrent.atomic.AtomicLong();
    private volatile java.util.function.LongSupplier nanoTicker = System::nanoTime;

    /** The time source of {@link #RECENT_TTL} (tests). */
    void nanoTicker(java.util.function.LongSupplier ticker) {
        this.nanoTicker = Objects.requireNonNull(ticker, "ticker");
    }

    /**
     * As {@link #find(String)}, but answered from a read at most {@link #RECENT_TTL} old when no change was made
     * through this service since: for the ingest hot paths ({@code _bulk} reads its index sets on every request),
     * not for read-modify-write, which reads with {@link #find}. An index set not found is not remembered.
     */
    public Optional<IndexSet> findRecent(String name) {
        if (name == null) return find(null);
        long gen = generation.get(); // before the read: a write that ends meanwhile makes this entry stale
        long now = nanoTicker.getAsLong();
        Recent r = recent.get(name);
        if (r != null && r.generation() == gen && now - r.readAtNanos() < RECENT_TTL.toNanos()) {
            return r.indexSet();
        }
        Optional<IndexSet> found = find(name);
        // only what exists is kept: a name nothing answers is read again next time (one just made on another
        // instance is found at once), and names a request makes up cost nothing after it
        if (found.isPresent() && name.length() <= RECENT_NAME_MAX) {
            if (recent.size() >= RECENT_MAX) recent.clear(); // aliases of existing sets come from requests: bounded
            recent.put(name, new Recent(found, now, gen));
        }
        return found;
    }

    /** As {@link #findRecent}, or {@link ErrorCode#INDEX_SET_NOT_FOUND}-style not found (searches read their set so). */
    public IndexSet getRecent(String name) {
        return findRecent(name).orElseThrow(() -> notFound(name));
    }

    /** All index sets, by name. */
    public List<IndexSet> list() {
        return repository.list();
    }

    /** The index sets of one space, by name. */
    public List<IndexSet> list(String space) {
        return repository.list().stream().filter(s -> s.spaceUid().equals(space)).toList();
    }

    /** The index set if it exists in {@code space}; one of another space is not found, as if it did not exist. */
    public Optional<IndexSet> find(String name, String space) {
        return find(name).filter(s -> s.spaceUid().equals(space));
    }

    /**
     * {@link ErrorCode#INDEX_SET_NOT_FOUND} for {@code name} as seen from {@code space}: lists only that space's
     * index sets.
     */
    public BklogException notFoundIn(String name, String space) {
        List<String> existing = list(space).stream().map(IndexSet::name).toList();
        String known = existing.isEmpty() ? "space '" + space + "' has none yet; create one first"
                : "existing in space '" + space + "': " + String.join(", ", existing);
        return new BklogException(ErrorCode.INDEX_SET_NOT_FOUND, "no index set named '" + name + "'; " + known,
                "index_set", Map.of("existing", existing), null);
    }

    /**
     * Makes the store know every recorded index set (idempotent); run at start, so a store that keeps nothing
     * across restarts (memory) or a new store gets the mappings the metadata holds.
     */
    public synchronized void syncStore() {
        List<IndexSet> all = repository.list();
        for (IndexSet s : all) {
            if (topology.isRouted()) {
                if (!topology.hasCluster(storageClusterOf(s))) {
                    log.error("index set skipped index_set={} storage_cluster={} reason=\"cluster not configured\""
                            + " configured=\"{}\"", s.name(), s.storageCluster(), String.join(", ",
                            topology.clusterNames()));
                    continue;
                }
                topology.assign(s.name(), storageClusterOf(s));
            }
            store.ensureIndexSet(s.schema());
        }
        if (!all.isEmpty()) log.info("index sets synced to store count={} store={}", all.size(), store.backendName());
    }

    private BklogException notFound(String name) {
        List<String> existing = repository.list().stream().map(IndexSet::name).toList();
        String known = existing.isEmpty() ? "none exist yet; create one first"
                : "existing: " + String.join(", ", existing);
        return new BklogException(ErrorCode.INDEX_SET_NOT_FOUND, "no index set named '" + name + "'; " + known,
                "index_set", Map.of("existing", existing), null);
    }

    private static BklogException exists(String name, Throwable cause) {
        return new BklogException(ErrorCode.INDEX_SET_EXISTS, "index set '" + name + "' exists already", "name",
                Map.of(), cause);
    }

    private IndexSet fresh(String name, IndexSetSpec spec) {
        return fresh(name, spec, spaceUid);
    }

    private IndexSet fresh(String name, IndexSetSpec spec, String space) {
        String timeField = spec.timeField() == null || spec.timeField().isBlank()
                ? DEFAULT_TIME_FIELD : spec.timeField();
        List<FieldSpec> fields = spec.fields() == null ? DEFAULT_FIELDS : spec.fields();
        checkFields(timeField, fields);
        String cluster = knownCluster(spec.storageCluster());
        String recorded = topology.isRouted() ? cluster : spec.storageCluster();
        io.bklog.core.patterns.PatternConfig patterns = io.bklog.core.patterns.PatternConfig.resolve(null,
                spec.patterns(), fields);
        return validated(() -> new IndexSet(0, name, space, timeField, withPatternField(fields, patterns),
                orDefault(spec.retentionDays(), DEFAULT_RETENTION_DAYS), orDefault(spec.shards(), DEFAULT_SHARDS),
                orDefault(spec.replicas(), DEFAULT_REPLICAS), null, 0, null, recorded, spec.description(),
                spec.dynamic(), 0, null, null, patterns));
    }

    private IndexSet merged(IndexSet current, IndexSetSpec spec) {
        if (spec.timeField() != null && !spec.timeField().isBlank() && !spec.timeField().equals(current.timeField())) {
            throw new BklogException(ErrorCode.INVALID_INDEX_SET, "the time field of index set '" + current.name()
                    + "' is '" + current.timeField() + "' and cannot change to '" + spec.timeField()
                    + "'; create a new index set instead", "time_field");
        }
        Map<String, FieldSpec> fields = new LinkedHashMap<>();
        current.fields().forEach(f -> fields.put(f.name(), f));
        for (FieldSpec f : spec.fields() == null ? List.<FieldSpec>of() : spec.fields()) {
            FieldSpec had = fields.putIfAbsent(f.name(), f);
            if (had != null && had.type() != f.type()) {
                throw new BklogException(ErrorCode.INVALID_INDEX_SET, "field '" + f.name() + "' of index set '"
                        + current.name() + "' is " + had.type().wireName() + " and cannot change to "
                        + f.type().wireName() + "; add a field with a new name instead", "fields." + f.name());
            }
        }
        io.bklog.core.patterns.PatternConfig patterns = io.bklog.core.patterns.PatternConfig.resolve(
                current.patterns(), spec.patterns(), List.copyOf(fields.values()));
        IndexSet moved = movedTo(current, spec.storageCluster());
        return validated(() -> moved.withFields(withPatternField(new ArrayList<>(fields.values()), patterns))
                .withPatterns(patterns)
                .withRetentionDays(orDefault(spec.retentionDays(), current.retentionDays()))
                .withStorage(orDefault(spec.shards(), current.shards()), orDefault(spec.replicas(), current.replicas()),
                        current.rolloverBytes())
                .withDescription(spec.description() != null ? spec.description() : current.description())
                .withDynamic(spec.dynamic() != null ? spec.dynamic() : current.dynamic()));
    }

    /**
     * The fields with the keyword field {@value io.bklog.core.patterns.PatternConfig#PATTERN_FIELD} added when log
     * clustering is on (it stays mapped when it is turned off: stored documents keep it).
     */
    private static List<FieldSpec> withPatternField(List<FieldSpec> fields,
                                                    io.bklog.core.patterns.PatternConfig patterns) {
        String name = io.bklog.core.patterns.PatternConfig.PATTERN_FIELD;
        if (!patterns.enabled() || fields.stream().anyMatch(f -> f.name().equals(name))) return fields;
        List<FieldSpec> out = new ArrayList<>(fields);
        out.add(FieldSpec.of(name, FieldType.KEYWORD));
        return out;
    }

    private final List<java.util.function.BiConsumer<IndexSet, IndexSet>> onChanged =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * Called after an index set was created ({@code before} null) or updated through this service, with the index
     * set before and after; a listener's failure is logged, never the caller's.
     */
    public void onChanged(java.util.function.BiConsumer<IndexSet, IndexSet> listener) {
        onChanged.add(Objects.requireNonNull(listener, "listener"));
    }

    private void changed(IndexSet before, IndexSet after) {
        for (var l : onChanged) {
            try {
                l.accept(before, after);
            } catch (RuntimeException e) {
                log.warn("event=index_set_listener_failed index_set={} reason=\"{}\"", after.name(), e.toString());
            }
        }
    }

    /** The most fields an index set maps (Elasticsearch's {@code index.mapping.total_fields.limit}). */
    public static final int MAX_FIELDS = 1000;

    /**
     * Maps the fields of {@code fields} that the index set does not map yet (dynamic mapping of a document's new
     * fields); fields already mapped are left as they are, whatever type is given. Returns the index set as it is now.
     *
     * @throws BklogException {@link ErrorCode#BAD_DOCUMENT} when the index set would pass {@link #MAX_FIELDS}
     */
    public synchronized IndexSet addFields(String name, List<FieldSpec> fields) {
        return addFields(name, fields, 1);
    }

    private IndexSet addFields(String name, List<FieldSpec> fields, int attempt) {
        IndexSet current = get(name);
        Set<String> mapped = new java.util.HashSet<>();
        current.fields().forEach(f -> mapped.add(f.name()));
        List<FieldSpec> added = fields.stream().filter(f -> !mapped.contains(f.name())).distinct().toList();
        if (added.isEmpty()) return current;
        if (current.fields().size() + added.size() > MAX_FIELDS) {
            throw new BklogException(ErrorCode.BAD_DOCUMENT, "index set '" + name + "' maps " + current.fields().size()
                    + " fields and may map at most " + MAX_FIELDS + "; the new field '" + added.get(0).name()
                    + "' is not mapped: drop such fields at the source, set the index set's dynamic to false (kept"
                    + " unsearchable) or strict (refused)", "fields." + added.get(0).name(),
                    Map.of("problem", "has field '" + added.get(0).name() + "', past the limit of " + MAX_FIELDS
                            + " fields of index set '" + name + "'"), null);
        }
        List<FieldSpec> all = new ArrayList<>(current.fields());
        all.addAll(added);
        IndexSet updated;
        try {
            updated = apply(validated(() -> current.withFields(all)), false);
        } catch (BklogException e) {
            // another instance changed the index set meanwhile (maybe mapping the same fields): read it again
            if (e.code() != ErrorCode.CONFLICT || attempt >= 3) throw e;
            return addFields(name, fields, attempt + 1);
        }
        log.info("event=fields_mapped_dynamically index_set={} fields={}", name,
                added.stream().map(f -> f.name() + ":" + f.type().wireName()).toList());
        return updated;
    }

    /**
     * The name of a known storage cluster (null = the default one), or {@link ErrorCode#INVALID_INDEX_SET} listing
     * the configured clusters.
     */
    private String knownCluster(String requested) {
        List<String> known = storageClusters();
        if (requested == null) return known.get(0);
        if (!known.contains(requested)) {
            throw new BklogException(ErrorCode.INVALID_INDEX_SET, "unknown storage_cluster '" + requested
                    + "'; configured clusters: " + String.join(", ", known), "storage_cluster",
                    Map.of("known", known), null);
        }
        return requested;
    }

    /**
     * The index set moved to another cluster, refused when it holds documents (they would stay behind in the old
     * cluster, unsearchable); its empty indices in the old cluster are deleted.
     */
    private IndexSet movedTo(IndexSet current, String requested) {
        if (requested == null) return current;
        String to = knownCluster(requested);
        String from = storageClusterOf(current);
        if (to.equals(from)) {
            return topology.isRouted() || current.storageCluster() != null ? current.withStore(current.storeName(), to)
                    : current;
        }
        List<IndexInfo> indices = List.of();
        long docs = 0;
        if (topology.isRouted()) {
            LogStore old = topology.clusterOf(current.name()).store();
            old.refresh(current.name());
            indices = old.listIndices(current.name());
            docs = indices.stream().mapToLong(IndexInfo::docCount).sum();
        }
        if (docs > 0) {
            throw new BklogException(ErrorCode.INVALID_INDEX_SET, "index set '" + current.name() + "' holds " + docs
                    + " documents in storage cluster '" + from + "' and cannot move to '" + to + "': its data would"
                    + " stay behind; create a new index set in '" + to + "' instead", "storage_cluster",
                    Map.of("storage_cluster", from, "documents", docs), null);
        }
        if (!indices.isEmpty()) store.deleteIndices(indices.stream().map(IndexInfo::name).toList());
        log.info("index set moved name={} from_cluster={} to_cluster={}", current.name(), from, to);
        return current.withStore(current.storeName(), to);
    }

    private IndexSet apply(IndexSet indexSet, boolean created) {
        String routedBefore = null;
        if (topology.isRouted()) {
            routedBefore = created ? null : topology.clusterOf(indexSet.name()).name();
            topology.assign(indexSet.name(), storageClusterOf(indexSet));
        }
        try {
            try {
                store.ensureIndexSet(indexSet.schema());
            } catch (IllegalArgumentException e) {
                throw new BklogException(ErrorCode.INVALID_INDEX_SET, "the store refused index set '"
                        + indexSet.name() + "': " + e.getMessage(), "fields", Map.of(), e);
            }
            IndexSet saved;
            try {
                saved = created ? repository.create(indexSet) : repository.update(indexSet);
            } catch (DuplicateNameException e) {
                generation.incrementAndGet(); // another instance made it: read it again
                throw exists(indexSet.name(), e);
            } catch (MetadataConflictException e) {
                generation.incrementAndGet(); // another instance changed it: read it again
                throw new BklogException(ErrorCode.CONFLICT, "index set '" + indexSet.name() + "' was changed by"
                        + " someone else meanwhile (version " + e.currentVersion() + "); read it again and retry",
                        "name", Map.of(), e);
            }
            generation.incrementAndGet(); // after the write: findRecent reads it again from now on
            log.info("index set {} name={} fields={} retention_days={} shards={} replicas={} storage_cluster={}",
                    created ? "created" : "updated", saved.name(), saved.fields().size(), saved.retentionDays(),
                    saved.shards(), saved.replicas(), storageClusterOf(saved));
            return saved;
        } catch (RuntimeException e) {
            if (routedBefore != null) topology.assign(indexSet.name(), routedBefore);
            if (topology.isRouted() && created) topology.unassign(indexSet.name());
            throw e;
        }
    }

    private static void checkFields(String timeField, List<FieldSpec> fields) {
        Map<String, FieldType> seen = new LinkedHashMap<>();
        for (FieldSpec f : fields) {
            FieldType had = seen.putIfAbsent(f.name(), f.type());
            if (had != null && had != f.type()) {
                throw new BklogException(ErrorCode.INVALID_INDEX_SET, "field '" + f.name() + "' is declared twice, as "
                        + had.wireName() + " and " + f.type().wireName(), "fields." + f.name());
            }
        }
        FieldType time = seen.get(timeField);
        if (time != null && time != FieldType.DATE) {
            throw new BklogException(ErrorCode.INVALID_INDEX_SET, "time field '" + timeField
                    + "' must be of type date, not " + time.wireName(), "fields." + timeField);
        }
    }

    private static IndexSet validated(java.util.function.Supplier<IndexSet> build) {
        IndexSet s;
        try {
            s = build.get();
        } catch (IllegalArgumentException e) {
            throw new BklogException(ErrorCode.INVALID_INDEX_SET, e.getMessage(), null, Map.of(), e);
        }
        if (s.retentionDays() < 0) {
            throw new BklogException(ErrorCode.INVALID_INDEX_SET,
                    "retention_days must be >= 0 (0 keeps the indices forever), got " + s.retentionDays(),
                    "retention_days");
        }
        return s;
    }

    /** Checks an index set name; the message says why names are lower-case. */
    public static void validateName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new BklogException(ErrorCode.INVALID_INDEX_SET, "index set name '" + name + "' is invalid: use 1 to"
                    + " 128 characters of a-z, 0-9 and _, starting with a letter or digit. Names are lower-case"
                    + " because they become part of physical index names (v2_{name}_{yyyyMMdd}_{n}), which"
                    + " Elasticsearch requires to be lower-case", "name");
        }
    }

    private static int orDefault(Integer v, int d) {
        return v == null ? d : v;
    }
}
