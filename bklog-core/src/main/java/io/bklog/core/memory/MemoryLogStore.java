package io.bklog.core.memory;

import io.bklog.spi.BulkResult;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.FieldValues;
import io.bklog.spi.IndexInfo;
import io.bklog.spi.IndexNames;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogDocument;
import io.bklog.spi.LogStore;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SearchResult;
import io.bklog.spi.query.AggregationResult;
import io.bklog.spi.query.Sort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.regex.Pattern;

/**
 * A {@link LogStore} in memory (backend {@code memory}): the reference implementation of the store semantics that
 * {@code LogStoreContract} pins down. Thread-safe (one read-write lock); documents are visible as soon as
 * {@link #index} returns. Nothing survives {@link #close}.
 */
public final class MemoryLogStore implements LogStore {

    public static final String BACKEND = "memory";

    private static final Logger log = LoggerFactory.getLogger(MemoryLogStore.class);

    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<String, IndexSetSchema> schemas = new TreeMap<>();
    private final Map<String, MemoryIndex> indices = new TreeMap<>();

    @Override
    public String backendName() {
        return BACKEND;
    }

    // ------------------------------------------------------------------ mapping

    @Override
    public void ensureIndexSet(IndexSetSchema schema) {
        lock.writeLock().lock();
        try {
            IndexSetSchema old = schemas.get(schema.name());
            if (old == null) {
                schemas.put(schema.name(), schema);
                log.info("index set created indexSet={} fields={}", schema.name(), schema.fields().size());
                return;
            }
            if (!old.timeField().equals(schema.timeField())) {
                throw new IllegalArgumentException("index set '" + schema.name() + "' has time field '"
                        + old.timeField() + "'; it cannot change to '" + schema.timeField() + "'");
            }
            Map<String, FieldSpec> merged = new LinkedHashMap<>();
            old.fields().forEach(f -> merged.put(f.name(), f));
            List<String> added = new ArrayList<>();
            for (FieldSpec f : schema.fields()) {
                FieldSpec prev = merged.get(f.name());
                if (prev == null) {
                    merged.put(f.name(), f);
                    added.add(f.name());
                } else if (prev.type() != f.type()) {
                    throw new IllegalArgumentException("field '" + f.name() + "' of index set '" + schema.name()
                            + "' is mapped as " + prev.type().wireName() + "; it cannot change to "
                            + f.type().wireName());
                }
            }
            schemas.put(schema.name(), new IndexSetSchema(schema.name(), schema.timeField(),
                    List.copyOf(merged.values()), schema.shards(), schema.replicas(), schema.rolloverBytes()));
            if (!added.isEmpty()) log.info("index set fields added indexSet={} fields={}", schema.name(), added);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Nothing to do: queries read each document's source with the mapping as it is at query time. */
    @Override
    public void reindex(String indexSet, io.bklog.spi.SnapshotRepository.ProgressListener progress) {
        if (!indexSets().contains(indexSet)) {
            throw new IllegalArgumentException("unknown index set '" + indexSet + "'; known: " + indexSets());
        }
        progress.onProgress(1, "nothing to reindex: the memory store reads the mapping at query time");
    }

    @Override
    public Set<String> indexSets() {
        lock.readLock().lock();
        try {
            return Set.copyOf(schemas.keySet());
        } finally {
            lock.readLock().unlock();
        }
    }

    // ------------------------------------------------------------------ indexing

    @Override
    public BulkResult index(String indexSet, List<LogDocument> documents) {
        IndexSetSchema schema;
        lock.readLock().lock();
        try {
            schema = schemas.get(indexSet);
        } finally {
            lock.readLock().unlock();
        }
        if (schema == null) {
            throw new IllegalArgumentException("unknown index set '" + indexSet + "'; known: " + indexSets());
        }
        // conversion needs no lock; the mapping only ever grows, so a field added meanwhile is at worst unmapped here
        Map<String, FieldType> types = types(schema);
        List<BulkResult.ItemResult> items = new ArrayList<>(documents.size());
        List<MemoryDocument> accepted = new ArrayList<>(documents.size());
        for (LogDocument d : documents) {
            if (d.id().isBlank()) {
                items.add(BulkResult.ItemResult.rejected(d.id(), "document id is blank"));
                continue;
            }
            try {
                accepted.add(new MemoryDocument(d.id(), d.timestamp().toEpochMilli(), normalize(schema, types, d)));
                items.add(BulkResult.ItemResult.ok(d.id()));
            } catch (IllegalArgumentException e) {
                items.add(BulkResult.ItemResult.rejected(d.id(), e.getMessage()));
            }
        }
        lock.writeLock().lock();
        try {
            IndexSetSchema current = schemas.getOrDefault(indexSet, schema);
            for (MemoryDocument doc : accepted) {
                store(current, doc, IndexNames.dayOf(java.time.Instant.ofEpochMilli(doc.timestamp())));
            }
        } finally {
            lock.writeLock().unlock();
        }
        return new BulkResult(items);
    }

    private static Map<String, FieldType> types(IndexSetSchema schema) {
        Map<String, FieldType> types = new HashMap<>();
        schema.fields().forEach(f -> types.put(f.name(), f.type()));
        return types;
    }

    private static Map<String, Object> normalize(IndexSetSchema schema, Map<String, FieldType> types, LogDocument d) {
        Map<String, Object> source = new LinkedHashMap<>();
        long millis = d.timestamp().toEpochMilli();
        for (Map.Entry<String, Object> e : d.fields().entrySet()) {
            String field = e.getKey();
            Object v = e.getValue();
            if (field.equals(schema.timeField())) {
                source.put(field, millis);
                continue;
            }
            if (v == null) continue;
            FieldType type = types.get(field);
            if (type == null) {
                source.put(field, v instanceof List<?> l ? Collections.unmodifiableList(new ArrayList<>(l)) : v);
            } else {
                source.put(field, FieldValues.convert(field, type, v));
            }
        }
        source.putIfAbsent(schema.timeField(), millis);
        return source;
    }

    /** Replaces the document with the same id in the day's indices, or adds it to the day's write index. */
    private void store(IndexSetSchema schema, MemoryDocument doc, LocalDate day) {
        MemoryIndex write = null;
        for (int n = 0; ; n++) {
            MemoryIndex idx = indices.get(IndexNames.daily(schema.name(), day, n));
            if (idx == null) break;
            if (idx.get(doc.id()) != null) {
                idx.put(doc);
                return;
            }
            write = idx;
        }
        if (write == null) {
            write = createIndex(IndexNames.daily(schema.name(), day, 0), schema.name());
        } else if (schema.rolloverBytes() > 0 && write.sizeBytes() >= schema.rolloverBytes()) {
            int next = IndexNames.parse(write.name()).map(IndexNames.Parsed::n).orElse(0) + 1;
            write = createIndex(IndexNames.daily(schema.name(), day, next), schema.name());
        }
        write.put(doc);
    }

    private MemoryIndex createIndex(String name, String indexSet) {
        MemoryIndex idx = new MemoryIndex(name, indexSet);
        indices.put(name, idx);
        log.debug("index created index={} indexSet={}", name, indexSet);
        return idx;
    }

    @Override
    public void refresh(String indexSet) {
        // documents are visible as soon as index() returns
    }

    // ------------------------------------------------------------------ search

    /** A searched index with the mapping its documents are evaluated with. */
    private record Target(MemoryIndex index, IndexSetSchema mapping) {}

    @Override
    public SearchResult search(SearchRequest request) {
        long start = System.nanoTime();
        lock.readLock().lock();
        try {
            List<Target> targets = targets(request.indexSets());
            List<Sort> sort = request.sort();
            List<IndexSetSchema> mappings = new ArrayList<>();
            targets.forEach(t -> mappings.add(t.mapping()));
            request.indexSets().stream().map(schemas::get).filter(java.util.Objects::nonNull).forEach(mappings::add);
            SortSpec spec = new SortSpec(sort, mappings);

            Long from = request.from() == null ? null : request.from().toEpochMilli();
            Long to = request.to() == null ? null : request.to().toEpochMilli();
            Map<IndexSetSchema, MemoryQueryMatcher> matchers = new HashMap<>();
            Map<IndexSetSchema, Map<String, FieldType>> typesByMapping = new HashMap<>();
            List<Found> found = new ArrayList<>();
            for (Target t : targets) {
                if (outsideTimeRange(t.index(), from, to)) continue;
                MemoryQueryMatcher m = matchers.computeIfAbsent(t.mapping(),
                        s -> new MemoryQueryMatcher(request.query(), s));
                Map<String, FieldType> types = typesByMapping.computeIfAbsent(t.mapping(), MemoryLogStore::types);
                for (MemoryDocument d : t.index().documents()) {
                    if (from != null && d.timestamp() < from) continue;
                    if (to != null && d.timestamp() >= to) continue;
                    if (m.matches(d)) found.add(new Found(d, t.index(), m, types));
                }
            }

            Map<String, AggregationResult> aggs = new LinkedHashMap<>();
            if (!request.aggregations().isEmpty()) {
                List<MemoryAggregator.Match> am = new ArrayList<>(found.size());
                for (Found f : found) {
                    am.add(new MemoryAggregator.Match(f.doc(), f.types()::get));
                }
                MemoryAggregator aggregator = new MemoryAggregator(am, request.from(), request.to());
                request.aggregations().forEach((name, a) -> aggs.put(name, aggregator.compute(name, a)));
            }

            List<SearchResult.Hit> hits = hits(request, spec, found);
            long took = (System.nanoTime() - start) / 1_000_000;
            return new SearchResult(found.size(), hits, aggs, took);
        } finally {
            lock.readLock().unlock();
        }
    }

    private static final long DAY_MILLIS = 86_400_000L;

    /** Whether a daily index cannot hold a document in [from, to) (its documents all lie in its UTC day). */
    private static boolean outsideTimeRange(MemoryIndex index, Long from, Long to) {
        if (from == null && to == null) return false;
        return IndexNames.parse(index.name()).map(p -> {
            long dayStart = p.day().atStartOfDay(java.time.ZoneOffset.UTC).toInstant().toEpochMilli();
            return (to != null && dayStart >= to) || (from != null && dayStart + DAY_MILLIS <= from);
        }).orElse(false);
    }

    private record Found(MemoryDocument doc, MemoryIndex index, MemoryQueryMatcher matcher,
                         Map<String, FieldType> types) {}

    private record Keyed(Found found, Object[] key) {}

    private List<SearchResult.Hit> hits(SearchRequest request, SortSpec spec, List<Found> found) {
        int want = request.searchAfter() == null ? request.offset() + request.size() : request.size();
        if (want == 0 || found.isEmpty()) return List.of();
        Object[] after = request.searchAfter() == null ? null : spec.after(request.searchAfter());
        Comparator<Object[]> order = spec.comparator();
        PriorityQueue<Keyed> top = new PriorityQueue<>(Math.min(want, found.size()) + 1,
                (a, b) -> order.compare(b.key(), a.key()));
        for (Found f : found) {
            if (spec.byTime() && after == null && top.size() == want) {
                // the common log search (newest first): skip the key for documents older than the page
                Object[] worst = top.peek().key();
                long t = f.doc().timestamp();
                long worstT = (Long) worst[0];
                if (t < worstT || (t == worstT && DocumentValues.compareStrings(f.doc().id(), (String) worst[1]) > 0)) {
                    continue;
                }
            }
            Object[] key = spec.key(f);
            if (after != null && order.compare(key, after) <= 0) continue;
            if (top.size() < want) {
                top.add(new Keyed(f, key));
            } else if (order.compare(key, top.peek().key()) < 0) {
                top.poll();
                top.add(new Keyed(f, key));
            }
        }
        List<Keyed> sorted = new ArrayList<>(top);
        sorted.sort((a, b) -> order.compare(a.key(), b.key()));
        int skip = request.searchAfter() == null ? request.offset() : 0;
        List<SearchResult.Hit> hits = new ArrayList<>();
        for (int i = skip; i < sorted.size(); i++) {
            Keyed k = sorted.get(i);
            MemoryDocument d = k.found().doc();
            Map<String, Object> source = d.source();
            if (!request.fields().isEmpty()) {
                Map<String, Object> filtered = new LinkedHashMap<>();
                for (String f : request.fields()) {
                    if (source.containsKey(f)) filtered.put(f, source.get(f));
                }
                source = filtered;
            }
            Map<String, List<String>> highlights = request.highlight() ? k.found().matcher().highlight(d) : Map.of();
            hits.add(new SearchResult.Hit(k.found().index().name(), d.id(), source, highlights,
                    java.util.Arrays.asList(k.key())));
        }
        return hits;
    }

    /** The sort keys of a search: values per key (null = missing, always last), then the id ascending. */
    private static final class SortSpec {
        private final List<Sort> sort;
        private final FieldType[] types;

        SortSpec(List<Sort> sort, List<IndexSetSchema> mappings) {
            this.sort = sort;
            this.types = new FieldType[sort.size()];
            for (int i = 0; i < sort.size(); i++) {
                String field = sort.get(i).field();
                for (IndexSetSchema mapping : mappings) {
                    FieldType type = mapping.field(field).map(FieldSpec::type).orElse(null);
                    if (type == FieldType.TEXT) {
                        throw new IllegalArgumentException("cannot sort on text field '" + field
                                + "' of index set '" + mapping.name() + "'; sort on a keyword, numeric or date field");
                    }
                    if (types[i] == null) types[i] = type;
                }
                if (types[i] == null) types[i] = FieldType.KEYWORD;
            }
        }

        boolean byTime() {
            return sort.isEmpty();
        }

        Object[] key(Found f) {
            MemoryDocument d = f.doc();
            if (byTime()) return new Object[] {d.timestamp(), d.id()};
            Object[] key = new Object[sort.size() + 1];
            for (int i = 0; i < sort.size(); i++) {
                Sort s = sort.get(i);
                FieldType type = f.types().get(s.field());
                if (type == null) continue;
                Object best = null;
                for (Object v : DocumentValues.values(d.get(s.field()))) {
                    if (best == null) {
                        best = v;
                    } else {
                        int c = DocumentValues.compare(type, v, best);
                        if (s.order() == Sort.Order.ASC ? c < 0 : c > 0) best = v;
                    }
                }
                key[i] = best;
            }
            key[sort.size()] = d.id();
            return key;
        }

        Comparator<Object[]> comparator() {
            if (byTime()) {
                return (a, b) -> {
                    int c = Long.compare((Long) b[0], (Long) a[0]);
                    return c != 0 ? c : DocumentValues.compareStrings((String) a[1], (String) b[1]);
                };
            }
            return (a, b) -> {
                for (int i = 0; i < sort.size(); i++) {
                    Object x = a[i];
                    Object y = b[i];
                    if (x == null && y == null) continue;
                    if (x == null) return 1;
                    if (y == null) return -1;
                    int c = DocumentValues.compare(types[i], x, y);
                    if (c != 0) return sort.get(i).order() == Sort.Order.ASC ? c : -c;
                }
                return DocumentValues.compareStrings((String) a[sort.size()], (String) b[sort.size()]);
            };
        }

        /** The searchAfter values as a key, numbers and strings converted to the key types. */
        Object[] after(List<Object> values) {
            int expected = byTime() ? 2 : sort.size() + 1;
            if (values.size() != expected) {
                throw new IllegalArgumentException("searchAfter has " + values.size() + " values; expected "
                        + expected + " (one per sort key, then the document id)");
            }
            Object[] key = values.toArray();
            if (key[expected - 1] == null) {
                throw new IllegalArgumentException("the last searchAfter value (the document id) is null");
            }
            key[expected - 1] = key[expected - 1].toString();
            if (byTime()) {
                Long t = toLong(key[0]);
                if (t == null) throw new IllegalArgumentException("searchAfter time '" + key[0] + "' is not epoch millis");
                key[0] = t;
                return key;
            }
            for (int i = 0; i < sort.size(); i++) {
                Object v = key[i];
                if (v == null) continue;
                FieldType t = types[i];
                if (v instanceof String s && t != FieldType.KEYWORD && t != FieldType.IP) {
                    Object parsed = DocumentValues.parseQueryValue(t, s);
                    if (parsed == null) {
                        throw new IllegalArgumentException("searchAfter value '" + s + "' of sort field '"
                                + sort.get(i).field() + "' is not a " + t.wireName());
                    }
                    key[i] = parsed;
                }
            }
            return key;
        }

        private static Long toLong(Object v) {
            if (v instanceof Number n) return n.longValue();
            if (v instanceof String s) return FieldValues.parseDateMillis(s);
            return null;
        }
    }

    /** The indices of the given index sets (their own, restored copies and aliased ones), each once. */
    private List<Target> targets(List<String> indexSets) {
        Map<String, Target> out = new LinkedHashMap<>();
        for (String set : indexSets) {
            IndexSetSchema searched = schemas.get(set);
            for (MemoryIndex idx : indices.values()) {
                if (out.containsKey(idx.name())) continue;
                if (!idx.indexSet().equals(set) && !idx.aliases().contains(set)) continue;
                IndexSetSchema own = schemas.get(idx.indexSet());
                IndexSetSchema mapping = own != null ? own : searched;
                if (mapping == null) continue;
                out.put(idx.name(), new Target(idx, mapping));
            }
        }
        return new ArrayList<>(out.values());
    }

    // ------------------------------------------------------------------ indices and aliases

    @Override
    public List<IndexInfo> listIndices(String indexSetOrPattern) {
        lock.readLock().lock();
        try {
            List<Pattern> patterns = new ArrayList<>();
            for (String p : indexSetOrPattern.split(",")) {
                if (!p.isBlank()) patterns.add(Pattern.compile(MemoryQueryMatcher.wildcardToRegex(p.trim())));
            }
            List<IndexInfo> out = new ArrayList<>();
            for (MemoryIndex idx : indices.values()) {
                if (matchesAny(patterns, idx)) {
                    out.add(new IndexInfo(idx.name(), idx.indexSet(), idx.docCount(), idx.sizeBytes(),
                            new TreeSet<>(idx.aliases())));
                }
            }
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    private static boolean matchesAny(List<Pattern> patterns, MemoryIndex idx) {
        for (Pattern p : patterns) {
            if (p.matcher(idx.name()).matches() || p.matcher(idx.indexSet()).matches()) return true;
            for (String alias : idx.aliases()) {
                if (p.matcher(alias).matches()) return true;
            }
        }
        return false;
    }

    @Override
    public void addAlias(String index, String alias) {
        lock.writeLock().lock();
        try {
            existing(index).aliases().add(alias);
            log.info("alias added index={} alias={}", index, alias);
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public void removeAlias(String index, String alias) {
        lock.writeLock().lock();
        try {
            existing(index).aliases().remove(alias);
            log.info("alias removed index={} alias={}", index, alias);
        } finally {
            lock.writeLock().unlock();
        }
    }

    private MemoryIndex existing(String index) {
        MemoryIndex idx = indices.get(index);
        if (idx == null) {
            throw new IllegalArgumentException("no index named '" + index + "' in the memory store");
        }
        return idx;
    }

    @Override
    public void deleteIndices(Collection<String> names) {
        lock.writeLock().lock();
        try {
            for (String name : names) {
                if (indices.remove(name) != null) log.info("index deleted index={}", name);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    // ------------------------------------------------------------------ snapshot support (package-private)

    /** The documents of an index (immutable objects, so the list is a faithful copy), or an exception. */
    List<MemoryDocument> copyDocuments(String index) {
        lock.readLock().lock();
        try {
            return List.copyOf(existing(index).documents());
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The index set an index belongs to. */
    String indexSetOf(String index) {
        lock.readLock().lock();
        try {
            return existing(index).indexSet();
        } finally {
            lock.readLock().unlock();
        }
    }

    boolean hasIndex(String index) {
        lock.readLock().lock();
        try {
            return indices.containsKey(index);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Creates {@code name} holding {@code docs}; it belongs to the set its name parses to, else to {@code indexSet}. */
    void createIndexWith(String name, String indexSet, List<MemoryDocument> docs) {
        lock.writeLock().lock();
        try {
            if (indices.containsKey(name)) {
                throw new IllegalArgumentException("index '" + name + "' already exists; delete it before restoring");
            }
            String set = IndexNames.parse(name).map(IndexNames.Parsed::indexSet).orElse(indexSet);
            createIndex(name, set).putAll(docs);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** The indices a comparison needs, sorted; for tests and diagnostics. */
    List<String> indexNames() {
        lock.readLock().lock();
        try {
            return new ArrayList<>(new LinkedHashSet<>(indices.keySet()));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Drops every index and mapping; the store is empty afterwards. */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            indices.clear();
            schemas.clear();
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public String toString() {
        return "MemoryLogStore{indexSets=" + indexSets() + ", indices=" + indexNames().size() + "}";
    }
}
