package io.bklog.core.collect;

import com.fasterxml.jackson.databind.JsonNode;
import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.core.etl.EtlConfigError;
import io.bklog.core.etl.LineParser;
import io.bklog.core.etl.ParsedDocument;
import io.bklog.core.etl.time.TimeParseResult;
import io.bklog.core.etl.time.TimeFormats;
import io.bklog.core.indexset.IndexSetService;
import io.bklog.core.indexset.IndexSetSpec;
import io.bklog.core.ingest.IngestMetrics;
import io.bklog.core.ingest.MultilineAggregator;
import io.bklog.spi.source.SourceLine;
import io.bklog.core.meta.CollectorConfig;
import io.bklog.core.meta.CollectorConfigRepository;
import io.bklog.core.meta.DuplicateNameException;
import io.bklog.core.meta.IndexSet;
import io.bklog.core.meta.MetadataConflictException;
import io.bklog.core.meta.MetadataNotFoundException;
import io.bklog.core.meta.MetadataReferenceException;
import io.bklog.core.meta.MetadataStore;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.source.SettingProblem;
import io.bklog.spi.source.SourceFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;

/**
 * Collector configs (source + filters + multi-line + ETL, bound to an index set) and their running sources. Every
 * save validates the whole config and refuses it with {@link ErrorCode#INVALID_COLLECTOR_CONFIG} listing each problem
 * with its position (details {@code errors: [{path, field, message}]}); a saved change (re)starts or stops the
 * collector's source at once ({@link CollectorRuntime}). Sources come from {@link SourceFactory}s: the
 * built-in {@code file} and {@code syslog}, those found with {@link ServiceLoader}, and those given to the platform
 * builder (which win over the others of the same type). Saving also adds the fields the collector's documents
 * carry (its ETL fields, {@code path_regexp} groups, the syslog fields) to its index set, so they are searchable at
 * once; a field the index set maps with another type is a validation error. {@link #close()} stops every source (the platform then
 * drains the ingest runtime).
 */
public final class CollectorService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CollectorService.class);

    private final CollectorConfigRepository repository;
    private final IndexSetService indexSets;
    private final Map<String, SourceFactory> factories;
    private final FileSourceFactory files;
    private final CollectorRuntime runtime;
    private final Clock clock;
    private final boolean runSources;
    private final String instance;
    private final io.bklog.core.meta.CollectorRuntimeRepository states;
    /** The config each collector this instance applied was applied with, by id. */
    private final Map<Long, CollectorConfig> applied = new java.util.HashMap<>();
    private java.util.concurrent.ScheduledExecutorService heartbeat;

    /** How often an instance that runs sources writes their states and picks up changes made elsewhere. */
    public static final java.time.Duration HEARTBEAT = java.time.Duration.ofSeconds(5);
    /** A state row older than this (six heartbeats) is of an instance that is gone. */
    public static final java.time.Duration STALE = HEARTBEAT.multipliedBy(6);

    private CollectorService(CollectorConfigRepository repository, IndexSetService indexSets,
                             Map<String, SourceFactory> factories, FileSourceFactory files,
                             CollectorRuntime runtime, Clock clock, boolean runSources, String instance,
                             io.bklog.core.meta.CollectorRuntimeRepository states) {
        this.runSources = runSources;
        this.instance = instance;
        this.states = states;
        this.repository = repository;
        this.indexSets = indexSets;
        this.factories = factories;
        this.files = files;
        this.runtime = runtime;
        this.clock = clock;
    }

    /** bklog's collector scenarios that are the {@code file} source here: {@code row} and {@code section}. */
    public static final List<String> FILE_ALIASES = List.of("row", "section");

    /**
     * Builds the service and starts the source of every active collector (a source that cannot start is reported
     * {@code failed} by {@link #status}, the platform still starts).
     *
     * @param dataDir   where the file source keeps its offsets ({@code {dataDir}/collectors}); null keeps none
     * @param given     factories installed explicitly; they win over ServiceLoader and built-in ones
     */
    public static CollectorService start(MetadataStore metadata, IndexSetService indexSets, IngestRuntime ingest,
                                         Path dataDir, IngestMetrics metrics, Clock clock,
                                         List<SourceFactory> given) {
        return start(metadata, indexSets, ingest, dataDir, metrics, clock, given, null);
    }

    /**
     * As {@link #start(MetadataStore, IndexSetService, IngestRuntime, Path, IngestMetrics, Clock, List)}, with the
     * host resources the built-in {@code file} and {@code syslog} sources may use; null = any path and port except
     * under {@code dataDir}.
     */
    public static CollectorService start(MetadataStore metadata, IndexSetService indexSets, IngestRuntime ingest,
                                         Path dataDir, IngestMetrics metrics, Clock clock,
                                         List<SourceFactory> given, CollectorConfinement confinement) {
        return start(metadata, indexSets, ingest, dataDir, metrics, clock, given, confinement, true,
                defaultInstanceName());
    }

    /** This host's name and this process's id, e.g. {@code web-1/4711}: an instance name unique on a network. */
    public static String defaultInstanceName() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "localhost";
        }
        return host + "/" + ProcessHandle.current().pid();
    }

    /**
     * As above. With {@code runSources} false (a server instance without the {@code collect} role) collectors are
     * saved, changed and listed here but their sources run on the instances that do run sources: each of those
     * writes the state of its sources to the metadata database ({@code collector_runtime}) every {@link #HEARTBEAT}
     * and picks up the changes saved by any instance, so {@link #status} answers the same on every instance.
     *
     * @param instance this instance's name in those state rows
     */
    public static CollectorService start(MetadataStore metadata, IndexSetService indexSets, IngestRuntime ingest,
                                         Path dataDir, IngestMetrics metrics, Clock clock,
                                         List<SourceFactory> given, CollectorConfinement confinement,
                                         boolean runSources, String instance) {
        Objects.requireNonNull(metadata, "metadata");
        Clock c = clock == null ? Clock.systemUTC() : clock;
        CollectorConfinement conf = confinement != null ? confinement
                : CollectorConfinement.unconfined(dataDir == null ? List.of() : List.of(dataDir));
        FileSourceFactory files = new FileSourceFactory(dataDir == null ? null : dataDir.resolve("collectors"), c,
                conf);
        Map<String, SourceFactory> factories = new LinkedHashMap<>();
        factories.put(files.type(), files);
        // bklog's scenario names of file collectors: row (line logs) and section (multi-line logs)
        for (String alias : FILE_ALIASES) factories.put(alias, files);
        SyslogSourceFactory syslog = new SyslogSourceFactory(c, conf);
        factories.put(syslog.type(), syslog);
        for (SourceFactory f : ServiceLoader.load(SourceFactory.class)) factories.put(f.type(), f);
        if (given != null) for (SourceFactory f : given) factories.put(f.type(), f);
        CollectorRuntime runtime = new CollectorRuntime(ingest, factories,
                id -> metadata.indexSets().findById(id).orElseThrow(
                        () -> new IllegalStateException("index set id " + id + " does not exist")), metrics, c);
        CollectorService s = new CollectorService(metadata.collectorConfigs(), indexSets, Map.copyOf(factories), files,
                runtime, c, runSources, Objects.requireNonNull(instance, "instance"), metadata.collectorRuntime());
        if (!runSources) {
            log.info("event=collectors_not_run reason=\"this instance does not collect (no collect role)\"");
            return s;
        }
        List<CollectorConfig> active = s.repository.listActive();
        synchronized (s) {
            for (CollectorConfig cc : active) s.applyLocal(cc);
        }
        if (!active.isEmpty()) log.info("event=collectors_started count={} types={}", active.size(), factories.keySet());
        s.heartbeat = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bklog-collector-heartbeat");
            t.setDaemon(true);
            return t;
        });
        s.heartbeat.scheduleWithFixedDelay(s::reconcileQuietly, HEARTBEAT.toMillis(), HEARTBEAT.toMillis(),
                java.util.concurrent.TimeUnit.MILLISECONDS);
        return s;
    }

    /**
     * Whether collectors of this source type use the host's resources (files, ports): only a platform admin may
     * create or change them ({@link SourceFactory#hostResource()}). An unknown type is not.
     */
    public boolean hostResource(String sourceType) {
        SourceFactory f = sourceType == null ? null : factories.get(sourceType);
        return f != null && f.hostResource();
    }

    /** The source types collectors may use. */
    public Set<String> sourceTypes() {
        return new TreeSet<>(factories.keySet());
    }

    /** A collector with its index set's name and the state of its source. */
    public record View(CollectorConfig config, String indexSet, CollectorStatus status) {
    }

    // ---------------------------------------------------------------- validation

    /**
     * Every problem of {@code config}, each with its position; empty when valid. {@code indexSetName} is used when
     * {@code config.indexSetId()} is 0 (the REST API names index sets).
     */
    public List<EtlConfigError> validate(CollectorConfig config, String indexSetName) {
        List<EtlConfigError> errors = new ArrayList<>();
        if (config.indexSetId() <= 0) {
            if (indexSetName == null || indexSetName.isBlank()) {
                errors.add(new EtlConfigError("index_set", null, "required: the index set the logs go to"));
            } else if (indexSets.find(indexSetName).isEmpty()) {
                errors.add(new EtlConfigError("index_set", null, "no index set named '" + indexSetName + "'; "
                        + existingIndexSets()));
            }
        } else if (indexSets.list().stream().noneMatch(s -> s.id() == config.indexSetId())) {
            errors.add(new EtlConfigError("index_set_id", null, "no index set with id " + config.indexSetId() + "; "
                    + existingIndexSets()));
        }
        SourceFactory factory = factories.get(config.sourceType());
        if (factory == null) {
            errors.add(new EtlConfigError("source_type", null, "unknown source type '" + config.sourceType()
                    + "'; known: " + String.join(", ", sourceTypes())));
        } else {
            List<SettingProblem> problems;
            Map<String, Object> settings = SourceSettings.toMap(config.sourceParams());
            try {
                problems = settings == null ? List.of(new SettingProblem("", "expected a JSON object"))
                        : factory.validate(settings);
            } catch (RuntimeException e) {
                problems = List.of(new SettingProblem("", e.getMessage() == null ? e.toString() : e.getMessage()));
            }
            for (SettingProblem p : problems) {
                String key = p.key();
                String path = key.isEmpty() ? "source_params" : key.startsWith("source_params") ? key
                        : "source_params." + key;
                errors.add(new EtlConfigError(path, null, p.message()));
            }
        }
        errors.addAll(CollectorSettings.of(config).errors());
        errors.addAll(io.bklog.core.agent.AgentTargets.validate(config.targets(), config.sourceType()));
        return errors;
    }

    private String existingIndexSets() {
        List<String> names = indexSets.list().stream().map(IndexSet::name).toList();
        return names.isEmpty() ? "none exist yet; create one first" : "existing: " + String.join(", ", names);
    }

    /** A valid config bound to its index set, and the index set fields it still needs. */
    private record Checked(CollectorConfig config, IndexSet indexSet, List<FieldSpec> missing) {
    }

    private Checked checked(CollectorConfig config, String indexSetName) {
        List<EtlConfigError> errors = validate(config, indexSetName);
        if (!errors.isEmpty()) throw invalid("collector config '" + config.name() + "'", errors);
        // valid: now refuse host resources this server does not allow (403, naming the value and the rule); a
        // collector with targets reads the files and ports of the agents' hosts, which confine it themselves
        if (!config.targeted()) {
            factories.get(config.sourceType()).checkHostAccess(SourceSettings.toMap(config.sourceParams()));
        }
        IndexSet set = config.indexSetId() > 0
                ? indexSets.list().stream().filter(s -> s.id() == config.indexSetId()).findFirst().orElseThrow()
                : indexSets.get(indexSetName);
        List<FieldSpec> missing = CollectorMapping.missing(set,
                CollectorMapping.wanted(config.sourceType(), CollectorSettings.of(config).etl()), errors);
        if (!errors.isEmpty()) throw invalid("collector config '" + config.name() + "'", errors);
        CollectorConfig bound = new CollectorConfig(config.id(), config.name(), set.id(), config.sourceType(),
                config.sourceParams(), config.filters(), config.multiline(), config.etlConfig(), config.etlParams(),
                config.fields(), config.active(), config.description(), config.version(), config.createdAt(),
                config.updatedAt(), config.targets());
        return new Checked(bound, set, missing);
    }

    /** Adds the fields the collector's documents carry to its index set (so they are searchable at once). */
    private void map(Checked c) {
        if (c.missing().isEmpty()) return;
        indexSets.update(c.indexSet().name(), IndexSetSpec.withFields(c.missing()));
        log.info("event=collector_fields_mapped collector={} index_set={} fields={}", c.config().name(),
                c.indexSet().name(), c.missing().stream().map(FieldSpec::name).toList());
    }

    /** {@link ErrorCode#INVALID_COLLECTOR_CONFIG} listing every error; {@code field} is the first one's path. */
    public static BklogException invalid(String what, List<EtlConfigError> errors) {
        List<Map<String, Object>> list = new ArrayList<>();
        StringBuilder msg = new StringBuilder(what).append(" is invalid (").append(errors.size())
                .append(errors.size() == 1 ? " problem): " : " problems): ");
        for (int i = 0; i < errors.size(); i++) {
            EtlConfigError e = errors.get(i);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("path", e.path());
            m.put("field", e.field());
            m.put("message", e.message());
            list.add(m);
            if (i > 0) msg.append("; ");
            msg.append(e);
        }
        return new BklogException(ErrorCode.INVALID_COLLECTOR_CONFIG, msg.toString(), errors.get(0).path(),
                Map.of("errors", list), null);
    }

    // ---------------------------------------------------------------- CRUD

    /** Validates, saves and starts (when active) a new collector. */
    public CollectorConfig create(CollectorConfig config) {
        return create(config, null);
    }

    /** As {@link #create(CollectorConfig)}, naming the index set when {@code config.indexSetId()} is 0. */
    public synchronized CollectorConfig create(CollectorConfig config, String indexSetName) {
        Checked checked = checked(config, indexSetName);
        CollectorConfig c = checked.config();
        // names are unique per space: another space's collectors are never named nor counted
        if (repository.findByName(checked.indexSet().spaceUid(), c.name()).isPresent()) {
            throw new BklogException(ErrorCode.COLLECTOR_EXISTS, "collector config '" + c.name() + "' exists"
                    + " already in this space", "name", Map.of(), null);
        }
        map(checked);
        CollectorConfig saved;
        try {
            saved = repository.create(c);
        } catch (DuplicateNameException e) {
            throw new BklogException(ErrorCode.COLLECTOR_EXISTS, "collector config '" + c.name() + "' exists"
                    + " already in this space", "name", Map.of(), e);
        } catch (MetadataReferenceException e) {
            throw invalid("collector config '" + c.name() + "'", List.of(new EtlConfigError("index_set", null,
                    "the index set was deleted meanwhile")));
        }
        log.info("event=collector_created collector={} id={} source_type={} index_set_id={} active={}", saved.name(),
                saved.id(), saved.sourceType(), saved.indexSetId(), saved.active());
        applyLocal(saved);
        return saved;
    }

    /**
     * Validates and saves a changed collector, then restarts its source. {@code config.version()} must be the
     * stored version, else {@link ErrorCode#CONFLICT} (someone changed it meanwhile).
     */
    public CollectorConfig update(CollectorConfig config) {
        return update(config, null);
    }

    /** As {@link #update(CollectorConfig)}, naming the index set when {@code config.indexSetId()} is 0. */
    public synchronized CollectorConfig update(CollectorConfig config, String indexSetName) {
        CollectorConfig current = get(config.id());
        if (current.version() != config.version()) {
            throw new BklogException(ErrorCode.CONFLICT, "collector config '" + current.name() + "' was changed by"
                    + " someone else meanwhile (version " + current.version() + ", you sent " + config.version()
                    + "); read it again and retry", "version", Map.of("current_version", current.version()), null);
        }
        Checked checked = checked(config, indexSetName);
        CollectorConfig c = checked.config();
        map(checked);
        CollectorConfig saved;
        try {
            saved = repository.update(c);
        } catch (MetadataConflictException e) {
            throw new BklogException(ErrorCode.CONFLICT, "collector config '" + c.name() + "' was changed by someone"
                    + " else meanwhile (version " + e.currentVersion() + ", you sent " + e.expectedVersion()
                    + "); read it again and retry", "version", Map.of("current_version", e.currentVersion()), e);
        } catch (DuplicateNameException e) {
            throw new BklogException(ErrorCode.COLLECTOR_EXISTS, "collector config '" + c.name() + "' exists"
                    + " already in this space", "name", Map.of(), e);
        } catch (MetadataNotFoundException e) {
            throw notFound(config.id());
        }
        log.info("event=collector_updated collector={} id={} version={} active={}", saved.name(), saved.id(),
                saved.version(), saved.active());
        applyLocal(saved);
        return saved;
    }

    /** The collector, or {@link ErrorCode#COLLECTOR_NOT_FOUND}. */
    public CollectorConfig get(long id) {
        return repository.findById(id).orElseThrow(() -> notFound(id));
    }

    public List<CollectorConfig> list() {
        return repository.list();
    }

    /** The collectors of one index set ({@link ErrorCode#INDEX_SET_NOT_FOUND} when it does not exist). */
    public List<CollectorConfig> list(String indexSet) {
        return repository.listByIndexSet(indexSets.get(indexSet).id());
    }

    /** Stops the collector's source and deletes it (and the offsets of a file source). */
    public synchronized void delete(long id) {
        CollectorConfig c = get(id);
        runtime.remove(id);
        applied.remove(id);
        try {
            repository.delete(c);
        } catch (MetadataNotFoundException e) {
            throw notFound(id);
        } catch (MetadataConflictException e) {
            throw new BklogException(ErrorCode.CONFLICT, "collector config '" + c.name() + "' was changed meanwhile;"
                    + " retry", null, Map.of(), e);
        }
        if (FileSourceFactory.TYPE.equals(c.sourceType()) || FILE_ALIASES.contains(c.sourceType())) {
            files.forget(c.name());
        }
        forgetStates(id);
        log.info("event=collector_deleted collector={} id={}", c.name(), id);
    }

    /** Marks the collector active and starts its source (again, when it had failed). */
    public synchronized CollectorConfig start(long id) {
        CollectorConfig c = get(id);
        if (c.active()) {
            applyLocal(c);
            return c;
        }
        return update(c.withActive(true));
    }

    /** Marks the collector inactive and stops its source. */
    public synchronized CollectorConfig stop(long id) {
        CollectorConfig c = get(id);
        if (!c.active()) {
            applyLocal(c);
            return c;
        }
        return update(c.withActive(false));
    }

    /**
     * The state of the collector's source: in this process when it runs sources and applied the collector, else
     * as the instances that run it last wrote it to the metadata database ({@link #shared}).
     */
    public CollectorStatus status(long id) {
        return statusOf(get(id));
    }

    /** As {@link #localOrShared}; a collector with targets that no agent runs says so. */
    private CollectorStatus statusOf(CollectorConfig c) {
        CollectorStatus s = localOrShared(c.id());
        if (c.targeted() && s.state().equals(CollectorStatus.STOPPED) && s.reason() == null && s.since() == null) {
            return new CollectorStatus(CollectorStatus.STOPPED, null, "run by agents (bklog agent) matching its"
                    + " targets; none runs it now", null);
        }
        return s;
    }

    private CollectorStatus localOrShared(long id) {
        synchronized (this) {
            if (runSources && applied.containsKey(id)) return runtime.status(id);
        }
        return shared(id);
    }

    /**
     * The state the instances running the collector's source last wrote (rows older than {@link #STALE} are of
     * instances that are gone and are not counted): {@code running} when one runs it, else {@code failed} when one
     * failed, else {@code stopped}; the detail names each instance.
     */
    CollectorStatus shared(long id) {
        java.time.Instant now = clock.instant();
        List<io.bklog.core.meta.CollectorRuntimeRepository.Row> rows;
        try {
            rows = states.of(id).stream().filter(r -> r.heartbeatAt() != null
                    && !r.heartbeatAt().isBefore(now.minus(STALE))).toList();
        } catch (RuntimeException e) {
            return new CollectorStatus(CollectorStatus.FAILED, "cannot read the collector's state from the metadata"
                    + " database: " + e.getMessage(), null, null);
        }
        if (rows.isEmpty()) {
            return new CollectorStatus(CollectorStatus.STOPPED, null, "no instance with the collect role runs it", null);
        }
        var best = rows.stream().filter(r -> r.state().equals(CollectorStatus.RUNNING)).findFirst()
                .or(() -> rows.stream().filter(r -> r.state().equals(CollectorStatus.FAILED)).findFirst())
                .orElse(rows.get(0));
        String detail = rows.stream().map(r -> r.instance() + ": " + r.state()
                        + (r.detail() != null ? " (" + r.detail() + ")" : r.reason() != null ? " (" + r.reason() + ")" : ""))
                .collect(java.util.stream.Collectors.joining("; "));
        return new CollectorStatus(best.state(), best.reason(), detail, best.since());
    }

    /** Starts, restarts or stops the collector's source here (when this instance runs sources) and shares its state. */
    private synchronized void applyLocal(CollectorConfig c) {
        if (!runSources) return;
        if (c.targeted()) { // agents run it (bklog agent), not the servers: stop it here if it ran before
            if (applied.remove(c.id()) != null) {
                runtime.remove(c.id());
                try {
                    states.forget(c.id(), instance);
                } catch (RuntimeException e) {
                    log.warn("event=collector_state_not_forgotten id={} reason=\"{}\"", c.id(), e.toString());
                }
                log.info("event=collector_moved_to_agents collector={} id={}", c.name(), c.id());
            }
            return;
        }
        CollectorStatus s = runtime.apply(c);
        applied.put(c.id(), c);
        publish(c, s);
    }

    private void publish(CollectorConfig c, CollectorStatus s) {
        try {
            states.record(new io.bklog.core.meta.CollectorRuntimeRepository.Row(c.id(), instance, s.state(),
                    s.reason(), s.detail(), c.version(), s.since(), clock.instant()));
        } catch (RuntimeException e) {
            log.warn("event=collector_state_not_shared collector={} id={} reason=\"{}\"", c.name(), c.id(),
                    e.toString());
        }
    }

    private void forgetStates(long id) {
        try {
            states.forget(id);
        } catch (RuntimeException e) {
            log.warn("event=collector_state_not_forgotten id={} reason=\"{}\"", id, e.toString());
        }
    }

    private void reconcileQuietly() {
        try {
            reconcile();
        } catch (RuntimeException e) {
            log.warn("event=collector_reconcile_failed reason=\"{}\"", e.toString());
        }
    }

    /**
     * Picks up what other instances saved (a new, changed, started, stopped or deleted collector) and writes the
     * state of every source this instance runs, as its heartbeat.
     */
    synchronized void reconcile() {
        Map<Long, CollectorConfig> now = new java.util.HashMap<>();
        for (CollectorConfig c : repository.list()) now.put(c.id(), c);
        for (CollectorConfig c : now.values()) {
            CollectorConfig had = applied.get(c.id());
            if (had == null && c.targeted()) continue; // run by agents
            if (had == null ? c.active() : had.version() != c.version()) {
                log.info("event=collector_changed_elsewhere collector={} id={} version={} active={}", c.name(),
                        c.id(), c.version(), c.active());
                applyLocal(c);
            }
        }
        for (Long id : List.copyOf(applied.keySet())) {
            if (now.containsKey(id)) continue;
            CollectorConfig gone = applied.remove(id);
            runtime.remove(id);
            if (FileSourceFactory.TYPE.equals(gone.sourceType()) || FILE_ALIASES.contains(gone.sourceType())) {
                files.forget(gone.name());
            }
            try {
                states.forget(id, instance); // a heartbeat may have written it again after the delete
            } catch (RuntimeException e) {
                log.warn("event=collector_state_not_forgotten id={} reason=\"{}\"", id, e.toString());
            }
            log.info("event=collector_deleted_elsewhere collector={} id={}", gone.name(), id);
        }
        for (CollectorConfig c : applied.values()) publish(c, runtime.status(c.id()));
    }

    /** The collector with its index set name and status. */
    public View view(CollectorConfig c) {
        String set = indexSets.list().stream().filter(s -> s.id() == c.indexSetId()).map(IndexSet::name)
                .findFirst().orElse(null);
        return new View(c, set, statusOf(c));
    }

    private BklogException notFound(long id) {
        return new BklogException(ErrorCode.COLLECTOR_NOT_FOUND, "no collector config with id " + id
                + "; GET /api/v1/collectors lists them", "id", Map.of(), null);
    }

    // ---------------------------------------------------------------- preview and time test

    /** One previewed event: the text after multi-line joining, and the document, or {@code filtered}. */
    public record PreviewLine(String line, boolean filtered, ParsedDocument document) {
    }

    /**
     * The ETL preview: sample lines through multi-line, filters and ETL exactly as a collector would, nothing
     * stored. Refuses an invalid config with {@link ErrorCode#INVALID_COLLECTOR_CONFIG} and every error's position.
     *
     * @param path the file path the lines are said to come from ({@code path_regexp}), or null
     */
    public List<PreviewLine> preview(List<String> lines, String etlConfig, JsonNode etlParams, JsonNode fields,
                                     JsonNode multiline, JsonNode filters, String path) {
        CollectorSettings s = CollectorSettings.of(etlConfig, etlParams, fields, multiline, filters);
        if (!s.ok()) throw invalid("etl config", s.errors());
        LineParser parser = io.bklog.core.etl.Etl.compile(s.etl(), clock);
        Instant now = clock.instant();
        List<SourceLine> events = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            String text = io.bklog.core.ingest.LineSanitizer.stripLineEnd(lines.get(i)); // CRLF samples
            SourceLine l = new SourceLine("preview", i, text, path, now, Map.of(), false, false, null);
            events.add(l);
        }
        if (s.multiline() != null) {
            MultilineAggregator agg = new MultilineAggregator(s.multiline(), clock);
            List<SourceLine> joined = new ArrayList<>(agg.offer(events));
            joined.addAll(agg.flushAll());
            events = joined;
        }
        List<PreviewLine> out = new ArrayList<>(events.size());
        for (SourceLine ev : events) {
            if (!s.filter().test(ev.text())) {
                out.add(new PreviewLine(ev.text(), true, null));
            } else {
                out.add(new PreviewLine(ev.text(), false, parser.parse(ev.text(), ev.path(), now)));
            }
        }
        return out;
    }

    /**
     * The time-format test: {@code value} parsed as {@code format} in {@code timeZone} hours. Refuses a value that
     * does not parse with {@link ErrorCode#BAD_REQUEST} giving the reason (and the known formats when the format is
     * unknown).
     */
    public TimeParseResult testTime(String value, String format, Integer timeZone) {
        if (value == null) throw new BklogException(ErrorCode.BAD_REQUEST, "data: required, the time value to parse",
                "data");
        if (format == null || format.isBlank()) {
            throw new BklogException(ErrorCode.BAD_REQUEST, "time_format: required; known: "
                    + String.join(", ", TimeFormats.all().keySet()), "time_format");
        }
        TimeParseResult r = TimeFormats.test(value, format, timeZone, clock);
        if (!r.ok()) {
            String field = TimeFormats.find(format).isEmpty() ? "time_format"
                    : r.reason() != null && r.reason().startsWith("time_zone") ? "time_zone" : "data";
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("reason", r.reason());
            if (field.equals("time_format")) details.put("known", List.copyOf(TimeFormats.all().keySet()));
            throw new BklogException(ErrorCode.BAD_REQUEST, "'" + value + "' is not a time of format '" + format + "': "
                    + r.reason(), field, details, null);
        }
        return r;
    }

    /** Stops every source; their pipelines hand on what they hold. */
    @Override
    public void close() {
        if (heartbeat != null) heartbeat.shutdownNow();
        runtime.close();
        synchronized (this) {
            for (CollectorConfig c : applied.values()) publish(c, CollectorStatus.stopped(clock.instant()));
        }
    }
}
