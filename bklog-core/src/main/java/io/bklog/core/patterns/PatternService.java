package io.bklog.core.patterns;

import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.core.indexset.IndexSetService;
import io.bklog.core.mask.Masker;
import io.bklog.core.meta.IndexSet;
import io.bklog.core.meta.PatternRecord;
import io.bklog.core.meta.PatternRepository;
import io.bklog.core.search.SearchAggs;
import io.bklog.core.search.SearchParams;
import io.bklog.core.search.SearchService;
import io.bklog.core.search.SearchSyntax;
import io.bklog.spi.LogDocument;
import io.bklog.spi.LogStore;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SearchResult;
import io.bklog.spi.query.Aggregation;
import io.bklog.spi.query.AggregationResult;
import io.bklog.spi.query.Intervals;
import io.bklog.spi.query.Query;
import io.bklog.spi.query.Sort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Log clustering of the platform (docs/patterns.md): one {@link PatternMiner} per index set with patterns on, made on
 * first use and fed with the patterns every instance mined before (the {@code patterns} table); ingest calls
 * {@link #enrich} for each document, which sets {@value PatternConfig#PATTERN_FIELD}. New patterns and counts are
 * written to the metadata database in batches by one background thread (never on the ingest thread), which also
 * reads back what other instances wrote every {@link Settings#syncInterval()} and {@link PatternMiner#absorb absorbs}
 * it. Lists patterns of a search ({@link #patterns}), labels them, and re-mines stored lines when the settings change
 * ({@link #REMINE_TASK}).
 */
public final class PatternService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PatternService.class);
    /** The ad-hoc task re-assigning every stored line of an index set (argument {@code index_set}). */
    public static final String REMINE_TASK = "patterns_remine";
    /** Lines read and written back per page while re-mining. */
    static final int REMINE_PAGE = 500;
    /** At most this many distinct ids are counted per listing (terms aggregation size). */
    static final int MAX_IDS = 5_000;

    /**
     * @param flushInterval how often new patterns and counts are written to the database (default 1 s)
     * @param syncInterval  how often patterns other instances mined are read back (default 5 s)
     */
    public record Settings(Duration flushInterval, Duration syncInterval) {
        public Settings {
            flushInterval = flushInterval == null ? Duration.ofSeconds(1) : flushInterval;
            syncInterval = syncInterval == null ? Duration.ofSeconds(5) : syncInterval;
            if (flushInterval.isNegative() || flushInterval.isZero() || syncInterval.isNegative()
                    || syncInterval.isZero()) {
                throw new IllegalArgumentException("patterns flush_interval and sync_interval must be positive");
            }
        }

        public static Settings defaults() {
            return new Settings(null, null);
        }
    }

    /** Lines assigned since the last flush, per pattern id. */
    private static final class Pending {
        String template;
        long count;
        Instant first;
        Instant last;
    }

    /** The miner of one index set with the settings it was made for. */
    private static final class Entry {
        final PatternConfig config;
        final PatternMiner miner;
        final AtomicReference<ConcurrentHashMap<String, Pending>> pending = new AtomicReference<>(
                new ConcurrentHashMap<>());
        /** enrich holds the read side while it counts into {@link #pending}; flush the write side to swap it. */
        final java.util.concurrent.locks.ReentrantReadWriteLock swap =
                new java.util.concurrent.locks.ReentrantReadWriteLock();
        /** Merges already written (id → into). */
        final Map<String, String> mergesWritten = new ConcurrentHashMap<>();
        volatile boolean created;
        /** The last rows read from the database, by id. */
        volatile Map<String, PatternRecord> records = Map.of();
        /** Set (under this entry's monitor) when the mining settings changed: its rows are never written again. */
        boolean retired;

        Entry(PatternConfig config) {
            this.config = config;
            this.miner = PatternMiners.create(config.settings());
        }
    }

    private final IndexSetService indexSets;
    private final LogStore store;
    private final PatternRepository repository;
    private final Clock clock;
    private final Settings settings;
    /** index set name → its clustering settings (off when unknown), refreshed on change and every sync. */
    private final Map<String, PatternConfig> configs = new ConcurrentHashMap<>();
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final ScheduledExecutorService background;
    private volatile SearchService search;
    private volatile io.bklog.core.schedule.Scheduler scheduler;
    private volatile boolean closed;

    public PatternService(IndexSetService indexSets, LogStore store, PatternRepository repository, Clock clock,
                          Settings settings) {
        this.indexSets = Objects.requireNonNull(indexSets, "indexSets");
        this.store = Objects.requireNonNull(store, "store");
        this.repository = Objects.requireNonNull(repository, "repository");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.settings = settings == null ? Settings.defaults() : settings;
        this.background = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bklog-patterns");
            t.setDaemon(true);
            return t;
        });
        long flush = this.settings.flushInterval().toMillis();
        long sync = this.settings.syncInterval().toMillis();
        background.scheduleWithFixedDelay(() -> quietly("flush", this::flush), flush, flush, TimeUnit.MILLISECONDS);
        background.scheduleWithFixedDelay(() -> quietly("sync", this::sync), sync, sync, TimeUnit.MILLISECONDS);
        indexSets.onChanged(this::changed);
    }

    /** The search service listing uses (it runs the pattern-aware {@link #searchSyntax syntax}). */
    public void useSearch(SearchService searchService) {
        this.search = Objects.requireNonNull(searchService, "searchService");
    }

    /** The scheduler re-mine tasks are submitted to; {@link #remineTask()} must be registered in it. */
    public void useScheduler(io.bklog.core.schedule.Scheduler s) {
        this.scheduler = Objects.requireNonNull(s, "scheduler");
    }

    /** {@code syntax} with searches by pattern id (through merges) and by label ({@link PatternSearchSyntax}). */
    public SearchSyntax searchSyntax(SearchSyntax syntax) {
        return new PatternSearchSyntax(syntax, this);
    }

    private void quietly(String what, Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            log.warn("event=patterns_{}_failed reason=\"{}\"", what, e.toString());
        }
    }

    // ---- ingest ----

    /**
     * Sets {@value PatternConfig#PATTERN_FIELD} on one document of {@code indexSet} when its patterns are on and the
     * document has the configured field; otherwise leaves it as it is. Never waits on the database.
     */
    public void enrich(String indexSet, Map<String, Object> fields) {
        PatternConfig cfg = config(indexSet);
        if (!cfg.enabled()) return;
        Object text = fields.get(cfg.field());
        if (text == null) return;
        Entry e = entry(indexSet, cfg);
        PatternMiner.Assignment a = e.miner.assign(String.valueOf(text));
        fields.put(PatternConfig.PATTERN_FIELD, a.patternId());
        if (a.created()) e.created = true;
        Instant now = clock.instant();
        var counting = e.swap.readLock();
        counting.lock();
        try {
            e.pending.get().compute(a.patternId(), (id, p) -> {
                if (p == null) {
                    p = new Pending();
                    p.first = now;
                }
                p.template = a.template();
                p.count++;
                p.last = now;
                return p;
            });
        } finally {
            counting.unlock();
        }
    }

    /** The field an index set's patterns are mined from (templates and labels are masked as this field). */
    public String fieldOf(String indexSet) {
        return config(indexSet).field();
    }

    /** The clustering settings of an index set (off for an unknown one), cached. */
    PatternConfig config(String indexSet) {
        PatternConfig c = configs.get(indexSet);
        if (c != null) return c;
        c = indexSets.find(indexSet).map(IndexSet::patterns).orElse(PatternConfig.off());
        configs.put(indexSet, c);
        return c;
    }

    private Entry entry(String indexSet, PatternConfig cfg) {
        Entry e = entries.get(indexSet);
        if (e != null && (e.config == cfg || e.config.equals(cfg))) return e; // the cached config: the same object
        synchronized (entries) {
            e = entries.get(indexSet);
            if (e != null && e.config.equals(cfg)) return e;
            if (e != null && !e.config.miningChangedBy(cfg)) flush(indexSet, e);
            // mining settings changed: the old entry's ids and templates belong to the old settings (their rows
            // are deleted by the instance that changed them, and a re-mine reassigns the lines): not written back
            Entry fresh = new Entry(cfg);
            load(indexSet, fresh);
            entries.put(indexSet, fresh);
            log.info("event=pattern_miner_started index_set={} field={} maskers={} precision={} known_patterns={}",
                    indexSet, cfg.field(), cfg.maskers(), cfg.precision(), fresh.records.size());
            return fresh;
        }
    }

    private void load(String indexSet, Entry e) {
        List<PatternRecord> rows = repository.list(indexSet);
        Map<String, PatternRecord> byId = new HashMap<>();
        List<PatternMiner.PatternState> states = new ArrayList<>(rows.size());
        for (PatternRecord r : rows) {
            byId.put(r.id(), r);
            states.add(new PatternMiner.PatternState(r.id(), r.template(), r.mergedInto(), r.count()));
            if (r.mergedInto() != null) e.mergesWritten.put(r.id(), r.mergedInto());
        }
        if (!states.isEmpty()) e.miner.absorb(states);
        e.records = Map.copyOf(byId);
    }

    private void changed(IndexSet before, IndexSet after) {
        configs.put(after.name(), after.patterns());
        PatternConfig old = before == null ? PatternConfig.off() : before.patterns();
        if (before != null && old.miningChangedBy(after.patterns())) {
            // the patterns of the old settings would be absorbed by the new miner and win every line again
            // (a fresh miner prefers the most general known pattern): they go, labels included (docs/patterns.md)
            // under the lock fresh entries are made under: a line enriched meanwhile with the new settings waits,
            // and its fresh entry loads the rows after the delete, never the old settings' rows
            synchronized (entries) {
                Entry retiring = entries.remove(after.name());
                if (retiring != null) {
                    synchronized (retiring) { // waits for a flush of it in flight, whose rows the delete then takes
                        retiring.retired = true;
                    }
                }
                int gone = repository.deleteIndexSet(after.name());
                log.info("event=patterns_reset index_set={} deleted_patterns={}", after.name(), gone);
            }
        }
        if (before != null && old.miningChangedBy(after.patterns()) && scheduler != null) {
            String id = scheduler.submit(REMINE_TASK, Map.of("index_set", after.name()));
            log.info("event=patterns_remine_queued index_set={} task_id={}", after.name(), id);
        }
    }

    // ---- persistence ----

    /** Writes what was mined since the last flush (new patterns, counts, merges); runs in the background. */
    public void flush() {
        for (Map.Entry<String, Entry> en : entries.entrySet()) flush(en.getKey(), en.getValue());
    }

    private void flush(String indexSet, Entry e) {
        synchronized (e) { // one flush of an entry at a time, and none once its settings were replaced
            if (!e.retired) flushEntry(indexSet, e);
        }
    }

    private void flushEntry(String indexSet, Entry e) {
        ConcurrentHashMap<String, Pending> taken;
        var swapping = e.swap.writeLock();
        swapping.lock(); // no enrich is counting into the map taken: no count (nor a new pattern's row) is lost
        try {
            taken = e.pending.getAndSet(new ConcurrentHashMap<>());
        } finally {
            swapping.unlock();
        }
        List<PatternRecord> batch = new ArrayList<>(taken.size());
        taken.forEach((id, p) -> batch.add(new PatternRecord(indexSet, id, p.template, null, p.count, p.first,
                p.last, null)));
        if (e.created || !taken.isEmpty()) {
            e.created = false;
            Map<String, PatternRecord> queued = new HashMap<>();
            batch.forEach(r -> queued.put(r.id(), r));
            for (PatternMiner.PatternState s : e.miner.snapshot()) {
                if (s.mergedInto() == null || s.mergedInto().equals(e.mergesWritten.get(s.id()))) continue;
                PatternRecord had = queued.get(s.id());
                PatternRecord merge = new PatternRecord(indexSet, s.id(), s.template(), s.mergedInto(),
                        had == null ? 0 : had.count(), had == null ? null : had.firstSeen(),
                        had == null ? null : had.lastSeen(), null);
                if (had != null) batch.remove(had);
                batch.add(merge);
                e.mergesWritten.put(s.id(), s.mergedInto());
            }
        }
        if (batch.isEmpty()) return;
        try {
            repository.upsert(batch);
        } catch (RuntimeException ex) {
            // keep the counts for the next flush
            for (PatternRecord r : batch) {
                e.pending.get().merge(r.id(), pending(r), (a, b) -> {
                    a.count += b.count;
                    return a;
                });
                if (r.mergedInto() != null) e.mergesWritten.remove(r.id());
            }
            throw ex;
        }
    }

    private static Pending pending(PatternRecord r) {
        Pending p = new Pending();
        p.template = r.template();
        p.count = r.count();
        p.first = r.firstSeen();
        p.last = r.lastSeen();
        return p;
    }

    /** Reads back the patterns every instance wrote and the index sets' settings; runs in the background. */
    public void sync() {
        for (String name : List.copyOf(configs.keySet())) {
            PatternConfig seen = configs.get(name);
            if (seen == null) continue;
            // only if nothing changed it while the set was read: a change made here meanwhile (changed, remine)
            // is newer than this read and must not be put back to the settings before it
            indexSets.find(name).ifPresentOrElse(s -> configs.replace(name, seen, s.patterns()),
                    () -> configs.remove(name, seen));
        }
        for (Map.Entry<String, Entry> en : entries.entrySet()) load(en.getKey(), en.getValue());
    }

    // ---- reading ----

    /** The index set with patterns on, or {@link ErrorCode#PATTERNS_OFF}. */
    private IndexSet clustered(String indexSet) {
        IndexSet set = indexSets.get(indexSet);
        if (!set.patterns().enabled()) {
            throw new BklogException(ErrorCode.PATTERNS_OFF, "index set '" + indexSet + "' does not cluster its"
                    + " lines into patterns; turn it on with \"patterns\": {\"enabled\": true} (docs/patterns.md)",
                    "patterns.enabled");
        }
        return set;
    }

    /** The miner entry of a clustered index set, with the rows other instances wrote. */
    private Entry entryOf(IndexSet set) {
        return entry(set.name(), set.patterns());
    }

    /** Every pattern known for the index set (merged ones included), as stored, after a flush of this instance. */
    public List<PatternRecord> known(String indexSet) {
        IndexSet set = clustered(indexSet);
        Entry e = entryOf(set);
        flush(set.name(), e);
        load(set.name(), e);
        return List.copyOf(new java.util.TreeMap<>(e.records).values());
    }

    /** The id a user sees now for {@code id} (merges followed), for a clustered index set. */
    public String resolve(String indexSet, String id) {
        PatternConfig cfg = config(indexSet);
        if (!cfg.enabled()) return id;
        return entry(indexSet, cfg).miner.resolve(id);
    }

    /** Every id that resolves to the same pattern as {@code id} (itself included). */
    List<String> idsResolvingTo(String indexSet, String id) {
        PatternConfig cfg = config(indexSet);
        if (!cfg.enabled()) return List.of(id);
        Entry e = entry(indexSet, cfg);
        String target = e.miner.resolve(id);
        List<String> out = new ArrayList<>();
        out.add(target);
        if (!target.equals(id)) out.add(id);
        for (PatternMiner.PatternState s : e.miner.snapshot()) {
            if (s.mergedInto() != null && !out.contains(s.id()) && target.equals(e.miner.resolve(s.id()))) {
                out.add(s.id());
            }
        }
        for (PatternRecord r : e.records.values()) {
            if (r.mergedInto() != null && !out.contains(r.id()) && target.equals(e.miner.resolve(r.id()))) {
                out.add(r.id());
            }
        }
        return out;
    }

    /** Ids (with those merged into them) of the patterns labelled {@code label} (case-insensitive). */
    List<String> idsLabelled(String indexSet, String label) {
        PatternConfig cfg = config(indexSet);
        if (!cfg.enabled()) return List.of();
        Entry e = entry(indexSet, cfg);
        List<String> out = new ArrayList<>();
        for (PatternRecord r : e.records.values()) {
            if (r.label() != null && r.label().equalsIgnoreCase(label.trim())) {
                for (String id : idsResolvingTo(indexSet, r.id())) if (!out.contains(id)) out.add(id);
            }
        }
        return out;
    }

    /**
     * Labels a pattern (null or blank clears the label); the label is shared by every instance within the sync
     * interval and searchable with {@code __pattern_label:"..."}. {@link ErrorCode#PATTERN_NOT_FOUND} for an id the
     * index set does not know.
     */
    public PatternRecord label(String indexSet, String id, String label) {
        IndexSet set = clustered(indexSet);
        Entry e = entryOf(set);
        flush(set.name(), e);
        String target = e.miner.resolve(id);
        String text = label == null || label.isBlank() ? null : label.trim();
        if (text != null && text.length() > 255) {
            throw new BklogException(ErrorCode.BAD_REQUEST, "label is " + text.length() + " characters; at most 255",
                    "label");
        }
        if (!repository.label(set.name(), target, text)) {
            throw new BklogException(ErrorCode.PATTERN_NOT_FOUND, "index set '" + indexSet + "' has no pattern '"
                    + id + "'; GET /api/v1/index_sets/" + indexSet + "/patterns lists them", "id");
        }
        load(set.name(), e);
        log.info("event=pattern_labelled index_set={} id={} label_set={}", set.name(), target, text != null);
        return e.records.get(target);
    }

    /**
     * The patterns of the lines a search matches, masked with {@code masker} (templates, samples and labels as hits
     * are): count per pattern (ids merged into one counted under it), first and last seen, trend, newest sample line,
     * {@code new}, and with {@code compare_to} the previous count with {@code appeared} / {@code grew}.
     */
    public PatternsResponse patterns(String indexSet, PatternQuery q, Masker masker) {
        IndexSet set = clustered(indexSet);
        SearchService s = Objects.requireNonNull(search, "search service not attached");
        Entry e = entryOf(set);
        int size = q.size() == null ? PatternQuery.DEFAULT_SIZE : q.size();
        if (size < 1 || size > PatternQuery.MAX_SIZE) {
            throw new BklogException(ErrorCode.BAD_REQUEST, "size must be 1.." + PatternQuery.MAX_SIZE + ", got "
                    + size, "size");
        }
        String sort = q.sort() == null || q.sort().isBlank() ? "count" : q.sort().trim().toLowerCase(Locale.ROOT);
        if (!sort.equals("count") && !sort.equals("growth")) {
            throw new BklogException(ErrorCode.BAD_REQUEST, "sort must be count or growth, got \"" + q.sort() + "\"",
                    "sort");
        }
        if (sort.equals("growth") && q.compareTo() == null) {
            throw new BklogException(ErrorCode.BAD_REQUEST, "sort=growth needs compare_to (the range to grow from)",
                    "compare_to");
        }
        SearchParams params = new SearchParams(q.keyword(), q.addition(), q.startTime(), q.endTime(), 0, 0, null,
                null, null, null, null);
        SearchRequest base = s.request(set.name(), params, masker);
        String time = set.timeField();
        SearchResult main = store.search(base.toBuilder().size(0).offset(0)
                .aggregation("ids", new Aggregation.Terms(PatternConfig.PATTERN_FIELD, MAX_IDS))
                .aggregation("time", new Aggregation.Stats(time)).build());
        Map<String, Long> counts = grouped(e, main.aggregations().get("ids"));

        Map<String, Long> previous = null;
        if (q.compareTo() != null) {
            SearchParams other = new SearchParams(q.keyword(), q.addition(), q.compareTo().startTime(),
                    q.compareTo().endTime(), 0, 0, null, null, null, null, null);
            SearchRequest cmp;
            try {
                cmp = s.request(set.name(), other, masker);
            } catch (BklogException ex) {
                throw new BklogException(ex.code(), "compare_to: " + ex.getMessage(), ex.field()
                        .map(f -> "compare_to." + f).orElse("compare_to"), ex.details(), ex);
            }
            SearchResult r = store.search(cmp.toBuilder().size(0).offset(0)
                    .aggregation("ids", new Aggregation.Terms(PatternConfig.PATTERN_FIELD, MAX_IDS)).build());
            previous = grouped(e, r.aggregations().get("ids"));
            for (String id : previous.keySet()) counts.putIfAbsent(id, 0L);
        }

        Map<String, PatternRecord> records = e.records;
        if (counts.keySet().stream().anyMatch(id -> !records.containsKey(id))) {
            flush(set.name(), e);
            load(set.name(), e);
        }
        Map<String, PatternRecord> rows = e.records;
        List<String> ids = new ArrayList<>(counts.keySet());
        if (q.label() != null && !q.label().isBlank()) {
            ids.removeIf(id -> rows.get(id) == null || rows.get(id).label() == null
                    || !rows.get(id).label().equalsIgnoreCase(q.label().trim()));
        }
        if (previous == null) ids.removeIf(id -> counts.get(id) == 0);
        Map<String, Long> prev = previous;
        Comparator<String> byCount = Comparator.comparingLong((String id) -> counts.get(id)).reversed()
                .thenComparing(Comparator.naturalOrder());
        if (sort.equals("growth")) {
            ids.sort(Comparator.comparingDouble((String id) -> -growth(counts.get(id), prev.getOrDefault(id, 0L)))
                    .thenComparing(byCount));
        } else {
            ids.sort(byCount);
        }
        int distinct = ids.size();
        List<String> top = ids.subList(0, Math.min(size, ids.size()));

        Instant from = base.from();
        Instant to = base.to();
        if (main.aggregations().get("time") instanceof AggregationResult.StatsResult st && st.count() > 0) {
            if (from == null) from = Instant.ofEpochMilli(st.min().longValue());
            if (to == null) to = Instant.ofEpochMilli(st.max().longValue() + 1);
        }
        Duration interval = from != null && to != null ? Intervals.auto(from, to, SearchAggs.Histogram.AUTO_BUCKETS)
                : null;
        List<PatternsResponse.Item> items = new ArrayList<>(top.size());
        for (String id : top) {
            items.add(item(set, e, base, id, counts.get(id), prev, interval, masker));
        }
        return new PatternsResponse(main.total(), distinct, interval == null ? null : interval.toString(), items);
    }

    private static double growth(long count, long previous) {
        if (previous == 0) return count > 0 ? Double.MAX_VALUE : 0;
        return (double) count / previous;
    }

    /** Bucket counts summed under the id each resolves to. */
    private static Map<String, Long> grouped(Entry e, AggregationResult r) {
        Map<String, Long> out = new LinkedHashMap<>();
        if (r instanceof AggregationResult.TermsResult t) {
            for (AggregationResult.Bucket b : t.buckets()) out.merge(e.miner.resolve(b.key()), b.count(), Long::sum);
        }
        return out;
    }

    private PatternsResponse.Item item(IndexSet set, Entry e, SearchRequest base, String id, long count,
                                       Map<String, Long> previous, Duration interval, Masker masker) {
        List<String> all = idsResolvingTo(set.name(), id);
        Query ids = all.size() == 1 ? new Query.Term(PatternConfig.PATTERN_FIELD, id)
                : Query.Bool.or(all.stream().<Query>map(x -> new Query.Term(PatternConfig.PATTERN_FIELD, x)).toList());
        Query both = base.query() instanceof Query.MatchAll ? ids : Query.Bool.and(List.of(base.query(), ids));
        String time = set.timeField();
        SearchRequest.Builder b = base.toBuilder().query(both).offset(0).size(count > 0 ? 1 : 0)
                .sort(List.of(Sort.desc(time))).searchAfter(null).highlight(false)
                .aggregation("time", new Aggregation.Stats(time));
        if (interval != null) b.aggregation("trend", Aggregation.DateHistogram.fixed(time, interval));
        SearchResult r = store.search(b.build());
        Instant first = null;
        Instant last = null;
        if (r.aggregations().get("time") instanceof AggregationResult.StatsResult st && st.count() > 0) {
            first = Instant.ofEpochMilli(st.min().longValue());
            last = Instant.ofEpochMilli(st.max().longValue());
        }
        List<PatternsResponse.TrendPoint> trend = new ArrayList<>();
        if (r.aggregations().get("trend") instanceof AggregationResult.HistogramResult h) {
            for (AggregationResult.TimeBucket tb : h.buckets()) {
                trend.add(new PatternsResponse.TrendPoint(tb.start(), tb.count()));
            }
        }
        Map<String, Object> sample = r.hits().isEmpty() ? null : masker.maskHit(r.hits().get(0)).source();
        boolean fresh = count > 0;
        if (fresh && base.from() != null) {
            SearchResult before = store.search(SearchRequest.builder(set.name()).query(ids)
                    .timeRange(null, base.from()).size(0).build());
            fresh = before.total() == 0;
        }
        PatternRecord row = e.records.get(id);
        String field = set.patterns().field();
        String template = row != null ? row.template() : templateOf(e, id);
        Long prev = previous == null ? null : previous.getOrDefault(id, 0L);
        Boolean appeared = prev == null ? null : prev == 0 && count > 0;
        Double grew = prev == null || prev == 0 ? null : (double) count / prev;
        return new PatternsResponse.Item(id, masker.mask(field, template), count, first, last, trend, sample, fresh,
                row == null || row.label() == null ? null : masker.mask(field, row.label()),
                all.stream().filter(x -> !x.equals(id)).toList(), prev, appeared, grew);
    }

    private static String templateOf(Entry e, String id) {
        return e.miner.snapshot().stream().filter(s -> s.id().equals(id)).map(PatternMiner.PatternState::template)
                .findFirst().orElse(null);
    }

    // ---- re-mining ----

    /** The ad-hoc task {@value #REMINE_TASK}: register it in the platform's scheduler. */
    public io.bklog.core.schedule.AsyncTask remineTask() {
        return io.bklog.core.schedule.AsyncTask.of(REMINE_TASK, ctx -> {
            String set = ctx.args().get("index_set");
            long n = remine(set, ctx::progress);
            return "re-mined " + n + " lines of index set " + set;
        }).withTimeout(Duration.ofHours(6)).withMaxRetries(2);
    }

    /** Queues {@value #REMINE_TASK} for the index set; returns the task id (status at the tasks API). */
    public String submitRemine(String indexSet) {
        IndexSet set = clustered(indexSet);
        io.bklog.core.schedule.Scheduler s = Objects.requireNonNull(scheduler, "scheduler not attached");
        return s.submit(REMINE_TASK, Map.of("index_set", set.name()));
    }

    /** Progress of a re-mine. */
    public interface Progress {
        void progress(double fraction, String message);
    }

    /**
     * Assigns every stored line of the index set again with the current settings: reads them in pages (oldest
     * first) and writes each back with its new {@value PatternConfig#PATTERN_FIELD} under the same id. Returns the
     * lines re-assigned.
     */
    public long remine(String indexSet, Progress progress) {
        IndexSet set = clustered(indexSet);
        configs.put(set.name(), set.patterns());
        String time = set.timeField();
        store.refresh(set.name());
        long total = store.search(SearchRequest.builder(set.name()).size(0).build()).total();
        long done = 0;
        List<Object> after = null;
        progress.progress(0, "re-mining " + total + " lines");
        while (!closed) {
            SearchResult page = store.search(SearchRequest.builder(set.name()).sort(List.of(Sort.asc(time)))
                    .size(REMINE_PAGE).searchAfter(after).build());
            if (page.hits().isEmpty()) break;
            List<LogDocument> docs = new ArrayList<>(page.hits().size());
            for (SearchResult.Hit h : page.hits()) {
                Map<String, Object> fields = new LinkedHashMap<>(h.source());
                fields.remove(PatternConfig.PATTERN_FIELD);
                enrich(set.name(), fields);
                docs.add(new LogDocument(h.id(), timeOf(fields.get(time)), fields));
            }
            store.index(set.name(), docs);
            done += docs.size();
            after = page.hits().get(page.hits().size() - 1).sortValues();
            progress.progress(total == 0 ? 1 : Math.min(1, (double) done / total), "re-mined " + done + " of "
                    + total + " lines");
            if (page.hits().size() < REMINE_PAGE) break;
        }
        store.refresh(set.name());
        flush();
        log.info("event=patterns_remined index_set={} lines={}", set.name(), done);
        return done;
    }

    private Instant timeOf(Object v) {
        if (v instanceof Number n) return Instant.ofEpochMilli(n.longValue());
        if (v != null) {
            try {
                return Instant.ofEpochMilli(Long.parseLong(String.valueOf(v)));
            } catch (NumberFormatException e) {
                return Instant.parse(String.valueOf(v));
            }
        }
        return clock.instant();
    }

    /** The PatternService's view of an index set, for tests: its pending (unflushed) pattern count. */
    Optional<Integer> pendingOf(String indexSet) {
        return Optional.ofNullable(entries.get(indexSet)).map(e -> e.pending.get().size());
    }

    /** Stops the background thread and writes what was mined last. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        background.shutdown();
        try {
            if (!background.awaitTermination(10, TimeUnit.SECONDS)) background.shutdownNow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            background.shutdownNow();
        }
        quietly("flush", this::flush);
    }
}
