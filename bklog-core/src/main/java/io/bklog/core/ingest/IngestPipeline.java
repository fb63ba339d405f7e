package io.bklog.core.ingest;

import io.bklog.spi.source.SourceLine;

import io.bklog.core.etl.DocumentFields;
import io.bklog.core.etl.Etl;
import io.bklog.core.etl.EtlConfig;
import io.bklog.core.etl.LineParser;
import io.bklog.core.etl.ParsedDocument;
import io.bklog.spi.BufferFullException;
import io.bklog.spi.BufferedDocument;
import io.bklog.spi.IngestBuffer;
import io.bklog.spi.LogDocument;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The ingest path of one index set: source lines → size/encoding bounds → multi-line join → collection filter →
 * ETL → deterministic id → {@link IngestBuffer} (or straight to a {@link BatchingSink}). Thread-safe.
 *
 * <p>Backpressure: when the buffer/sink refuses, the documents already made are kept in a small spill and the
 * NEXT submit is refused whole ({@link SubmitResult#full()}, nothing consumed) until the spill drained, so callers
 * get a 429 + {@code Retry-After} and memory stays bounded. Lines are never dropped silently: filtered lines are
 * counted, failed ones are marked {@code __parse_failure} (or dead-lettered when {@code enable_retain_content} is
 * off).
 */
public final class IngestPipeline implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(IngestPipeline.class);

    /** What happened to one input line (or multi-line event). */
    public record Processed(SourceLine line, String indexSet, LogDocument document, boolean filtered,
                            boolean parseFailure) {
    }

    /**
     * Outcome of {@link #submit}.
     *
     * @param accepted   false: nothing of this request was taken; retry after {@code retryAfter}
     * @param documents  documents made (multi-line events still open are not counted yet)
     * @param filtered   lines dropped by the collection filter
     */
    public record SubmitResult(boolean accepted, int lines, int documents, int filtered, int parseFailures,
                               Duration retryAfter, String reason, List<Processed> processed) {
        public boolean full() {
            return !accepted;
        }
    }

    private final String indexSet;
    private final String deadLetterIndexSet;
    private final LineParser parser;
    private final MultilineAggregator multiline;
    private final LineFilter filter;
    private final LineSanitizer sanitizer;
    private final IngestBuffer buffer;
    private final BatchingSink sink;
    private final Clock clock;
    private final DocumentEnricher enricher;
    private final IngestMetrics metrics;
    private final ScheduledExecutorService scheduler;
    private final boolean ownScheduler;
    private final ScheduledFuture<?> ticker;
    private final Duration retryAfter;
    private final Object spillLock = new Object();
    private final List<BufferedDocument> spill = new ArrayList<>();
    private volatile boolean closed;

    private IngestPipeline(Builder b) {
        this.indexSet = Objects.requireNonNull(b.indexSet, "indexSet");
        if ((b.buffer == null) == (b.sink == null)) {
            throw new IllegalArgumentException("give exactly one of buffer(...) or sink(...) for index set " + indexSet);
        }
        this.clock = b.clock;
        this.enricher = b.enricher;
        this.parser = Etl.compile(b.etl, b.clock);
        this.multiline = b.multiline == null ? null : new MultilineAggregator(b.multiline, b.clock);
        this.filter = b.filter;
        this.sanitizer = new LineSanitizer(b.maxLineBytes);
        this.buffer = b.buffer;
        this.sink = b.sink;
        this.metrics = b.metrics;
        this.deadLetterIndexSet = b.deadLetterIndexSet;
        this.retryAfter = b.retryAfter;
        if (b.scheduler != null) {
            this.scheduler = b.scheduler;
            this.ownScheduler = false;
        } else {
            ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "bklog-ingest-" + indexSet);
                t.setDaemon(true);
                return t;
            });
            s.setRemoveOnCancelPolicy(true);
            this.scheduler = s;
            this.ownScheduler = true;
        }
        long period = b.multiline == null ? 100 : Math.max(10, Math.min(100, b.multiline.timeout().toMillis() / 4));
        this.ticker = scheduler.scheduleWithFixedDelay(this::tick, period, period, TimeUnit.MILLISECONDS);
    }

    /** Sink offers not yet written to the store (see {@link #handedOnStored()}). */
    private final List<java.util.concurrent.CompletableFuture<Void>> pendingStores = new ArrayList<>();

    public static Builder builder(String indexSet) {
        return new Builder(indexSet);
    }

    public String indexSet() {
        return indexSet;
    }

    public LineParser parser() {
        return parser;
    }

    /** Convenience: lines of one source without offsets (ids from content), received now. */
    public SubmitResult submitText(String sourceId, List<String> lines) {
        List<SourceLine> in = new ArrayList<>(lines.size());
        var now = clock.instant();
        for (String l : lines) in.add(SourceLine.of(sourceId, -1, l, now));
        return submit(in);
    }

    /**
     * Runs lines through the pipeline and hands the documents to the buffer/sink. Refused whole (nothing consumed)
     * when an earlier refusal has not drained yet.
     */
    public SubmitResult submit(List<SourceLine> lines) {
        if (closed) throw new IllegalStateException("ingest pipeline of index set '" + indexSet + "' is closed");
        synchronized (spillLock) {
            if (!spill.isEmpty()) {
                drainSpill();
                if (!spill.isEmpty()) {
                    return new SubmitResult(false, lines.size(), 0, 0, 0, retryAfter, "ingest buffer is full ("
                            + spill.size() + " documents waiting); retry later", List.of());
                }
            }
        }
        List<Processed> processed = process(lines);
        int docs = 0;
        int filtered = 0;
        int failures = 0;
        for (Processed p : processed) {
            if (p.filtered()) filtered++;
            else docs++;
            if (p.parseFailure()) failures++;
        }
        deliver(processed);
        return new SubmitResult(true, lines.size(), docs, filtered, failures, Duration.ZERO, null, processed);
    }

    /** Turns lines into documents without delivering them (preview, or callers that deliver themselves). */
    public List<Processed> process(List<SourceLine> lines) {
        List<SourceLine> events = new ArrayList<>(lines.size());
        long bytes = 0;
        for (SourceLine l : lines) {
            SourceLine s = l;
            String text = LineSanitizer.stripLineEnd(l.text());
            if (text != l.text()) s = l.withText(text); // a CRLF (or CR) line split on LF by its source
            LineSanitizer.Result r = sanitizer.sanitize(s.text());
            if (r.truncated() || r.invalidUtf8()) {
                s = s.withText(r.text()).withFlags(l.truncated() || r.truncated(), l.invalidUtf8() || r.invalidUtf8());
            }
            bytes += s.text().length();
            events.add(s);
        }
        metrics.lines(indexSet, lines.size(), bytes);
        if (multiline != null) events = multiline.offer(events);
        return toDocuments(events);
    }

    private List<Processed> toDocuments(List<SourceLine> events) {
        List<Processed> out = new ArrayList<>(events.size());
        int failures = 0;
        int filtered = 0;
        for (SourceLine ev : events) {
            if (!filter.test(ev.text())) {
                out.add(new Processed(ev, indexSet, null, true, false));
                filtered++;
                continue;
            }
            ParsedDocument pd = parser.parse(ev.text(), ev.path(), ev.received());
            Map<String, Object> fields = pd.fields();
            if (!ev.extra().isEmpty()) {
                for (Map.Entry<String, Object> e : ev.extra().entrySet()) fields.putIfAbsent(e.getKey(), e.getValue());
            }
            if (ev.truncated()) fields.put(DocumentFields.TRUNCATED, Boolean.TRUE);
            if (ev.invalidUtf8()) fields.put(DocumentFields.INVALID_UTF8, Boolean.TRUE);
            if (ev.offset() >= 0) fields.putIfAbsent(DocumentFields.OFFSET, ev.offset());
            if (pd.retain()) enricher.enrich(indexSet, fields);
            LogDocument doc = new LogDocument(DocumentIds.of(ev), pd.timestamp(), fields);
            String target = indexSet;
            if (!pd.retain()) {
                doc = BatchingSink.deadLetterDocument(indexSet, doc, "parse failure with enable_retain_content off: "
                        + pd.failureReason(), 0, clock.instant());
                target = deadLetterIndexSet;
            }
            if (pd.parseFailure()) failures++;
            out.add(new Processed(ev, target, doc, false, pd.parseFailure()));
        }
        metrics.parseFailures(indexSet, failures);
        metrics.filtered(indexSet, filtered);
        return out;
    }

    /** Hands documents on; what the buffer/sink refuses waits in the spill. */
    public void deliver(List<Processed> processed) {
        List<BufferedDocument> docs = new ArrayList<>(processed.size());
        for (Processed p : processed) {
            if (p.document() != null) docs.add(new BufferedDocument(p.indexSet(), p.line().sourceId(), p.document()));
        }
        if (docs.isEmpty()) return;
        synchronized (spillLock) {
            if (spill.isEmpty()) {
                List<BufferedDocument> rest = tryDeliver(docs);
                spill.addAll(rest);
            } else {
                spill.addAll(docs);
                drainSpill();
            }
        }
    }

    /** Returns what could not be delivered. */
    private List<BufferedDocument> tryDeliver(List<BufferedDocument> docs) {
        if (buffer != null) {
            try {
                buffer.append(docs);
                return List.of();
            } catch (BufferFullException e) {
                LOG.debug("event=ingest_buffer_full index_set={} docs={}", indexSet, docs.size());
                return docs;
            }
        }
        Map<String, List<LogDocument>> byIndex = new LinkedHashMap<>();
        for (BufferedDocument d : docs) byIndex.computeIfAbsent(d.indexSet(), k -> new ArrayList<>()).add(d.document());
        List<BufferedDocument> rest = new ArrayList<>();
        for (Map.Entry<String, List<LogDocument>> e : byIndex.entrySet()) {
            BatchingSink.Offer offer = sink.offer(e.getKey(), e.getValue());
            if (!offer.accepted()) {
                for (LogDocument d : e.getValue()) rest.add(new BufferedDocument(e.getKey(), null, d));
            } else {
                synchronized (pendingStores) {
                    pendingStores.removeIf(java.util.concurrent.CompletableFuture::isDone);
                    pendingStores.add(BatchingSink.safe(offer.done()));
                }
            }
        }
        return rest;
    }

    /**
     * Completes when every document handed on so far is safe: taken by the ingest buffer (its {@code append} is
     * durable), or, without a buffer, written to the store by the batching sink (stored or dead-lettered).
     * Documents still in the spill ({@link #spilled()}) are not covered. A source that acknowledges its input
     * (Kafka offsets, a file checkpoint) waits on this first, so a crash never loses an acknowledged line.
     */
    public java.util.concurrent.CompletableFuture<Void> handedOnStored() {
        synchronized (pendingStores) {
            pendingStores.removeIf(java.util.concurrent.CompletableFuture::isDone);
            return java.util.concurrent.CompletableFuture.allOf(
                    pendingStores.toArray(new java.util.concurrent.CompletableFuture<?>[0]));
        }
    }

    private void drainSpill() {
        if (spill.isEmpty()) return;
        List<BufferedDocument> rest = tryDeliver(new ArrayList<>(spill));
        spill.clear();
        spill.addAll(rest);
    }

    /**
     * The offset of the first line of the multi-line event still open for {@code sourceId} (its lines are held in
     * memory, not stored), or -1 when none is open or the pipeline does not join lines. A source that commits
     * positions commits no further than this.
     */
    public long pendingOffset(String sourceId) {
        return multiline == null ? -1 : multiline.pendingOffset(sourceId);
    }

    /** Documents made but not yet taken by the buffer/sink. */
    public int spilled() {
        synchronized (spillLock) {
            return spill.size();
        }
    }

    private void tick() {
        try {
            if (multiline != null) {
                List<SourceLine> expired = multiline.flushExpired();
                if (!expired.isEmpty()) deliver(toDocuments(expired));
            }
            synchronized (spillLock) {
                drainSpill();
            }
        } catch (RuntimeException e) {
            LOG.error("event=ingest_tick_failed index_set={}", indexSet, e);
        }
    }

    /** Completes open multi-line events and tries to hand every document on. */
    public void flush() {
        if (multiline != null) {
            List<SourceLine> pending = multiline.flushAll();
            if (!pending.isEmpty()) deliver(toDocuments(pending));
        }
        synchronized (spillLock) {
            drainSpill();
        }
    }

    /**
     * Completes open multi-line events and hands everything on, waiting up to {@code timeout} for room; documents
     * still refused after that are logged at ERROR with their ids. Does not close the buffer or sink (shared).
     */
    public void close(Duration timeout) {
        if (closed) return;
        closed = true;
        ticker.cancel(false);
        flush();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (spilled() > 0 && System.nanoTime() < deadline) {
            synchronized (spillLock) {
                drainSpill();
                if (spill.isEmpty()) break;
                try {
                    spillLock.wait(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        synchronized (spillLock) {
            for (BufferedDocument d : spill) {
                LOG.error("event=ingest_closed_with_undelivered index_set={} doc_id={}", d.indexSet(), d.document().id());
            }
        }
        if (ownScheduler) scheduler.shutdownNow();
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }

    /** Builder. Defaults: text ETL, no multi-line, no filter, 1 MiB line limit, system clock. */
    public static final class Builder {
        private final String indexSet;
        private EtlConfig etl = EtlConfig.text();
        private MultilineConfig multiline;
        private LineFilter filter = LineFilter.NONE;
        private int maxLineBytes = LineSanitizer.DEFAULT_MAX_LINE_BYTES;
        private IngestBuffer buffer;
        private BatchingSink sink;
        private Clock clock = Clock.systemUTC();
        private DocumentEnricher enricher = DocumentEnricher.NONE;
        private IngestMetrics metrics = IngestMetrics.noop();
        private ScheduledExecutorService scheduler;
        private String deadLetterIndexSet = BatchingSink.DEAD_LETTER_INDEX_SET;
        private Duration retryAfter = Duration.ofSeconds(1);

        private Builder(String indexSet) {
            this.indexSet = indexSet;
        }

        public Builder etl(EtlConfig v) { this.etl = v; return this; }
        public Builder multiline(MultilineConfig v) { this.multiline = v; return this; }
        public Builder filter(LineFilter v) { this.filter = v == null ? LineFilter.NONE : v; return this; }
        /** Lines longer than this (UTF-8 bytes) are cut and marked {@code __truncated}; default 1 MiB. */
        public Builder maxLineBytes(int v) { this.maxLineBytes = v; return this; }
        /** Deliver into a buffer (drained by a {@link BufferDrainer}). */
        public Builder buffer(IngestBuffer v) { this.buffer = v; return this; }
        /** Deliver straight to a sink (no buffer). */
        public Builder sink(BatchingSink v) { this.sink = v; return this; }
        public Builder clock(Clock v) { this.clock = v; return this; }
        /** Adds fields to each document made (log clustering's {@code __pattern}); default none. */
        public Builder enricher(DocumentEnricher v) { this.enricher = v == null ? DocumentEnricher.NONE : v; return this; }
        public Builder metrics(IngestMetrics v) { this.metrics = v; return this; }
        /** Runs multi-line timeouts and spill retries; default: an own single thread. */
        public Builder scheduler(ScheduledExecutorService v) { this.scheduler = v; return this; }
        public Builder deadLetterIndexSet(String v) { this.deadLetterIndexSet = v; return this; }
        /** The Retry-After answered when full; default 1 s. */
        public Builder retryAfter(Duration v) { this.retryAfter = v; return this; }

        public IngestPipeline build() {
            return new IngestPipeline(this);
        }
    }
}
