package io.bklog.examples.host;

import io.bklog.core.DirectIngest;
import io.bklog.core.LogPlatform;
import io.bklog.core.indexset.IndexSetSpec;
import io.bklog.core.search.SearchParams;
import io.bklog.core.search.SearchResponse;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SearchResult;
import io.bklog.spi.query.Aggregation;
import io.bklog.spi.query.AggregationResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A host application embedding bklog as a library: it opens a platform on a data directory (the embedded Lucene
 * store, metadata in embedded H2), creates an index set for its own events, ingests them, searches them with the
 * bklog query syntax, aggregates them, and closes the platform.
 *
 * <p>Run it with {@code mvn -pl examples -am exec:java}-style tooling or from the IDE: {@link #main} takes an
 * optional data directory (default: a new temporary directory).
 */
public final class EmbeddedLoggingApp {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedLoggingApp.class);

    /** The index set the application writes its events to. */
    public static final String INDEX_SET = "checkout_app";
    /** The search the application runs: payment errors. */
    public static final String ERROR_QUERY = "level:ERROR AND log:\"payment declined\"";
    /** The events the aggregation looks at: failed requests. */
    public static final String FAILED_QUERY = "status:>=400";

    private final Path dataDir;
    private final Clock clock;

    public EmbeddedLoggingApp(Path dataDir, Clock clock) {
        this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * What the application saw.
     *
     * @param store          the backend the platform chose ({@code lucene} with a data directory)
     * @param ingested       events stored
     * @param errorTotal     how many events {@link #ERROR_QUERY} matched
     * @param errorMessages  their log lines, newest first
     * @param failedByLevel  failed requests ({@link #FAILED_QUERY}) per level, most first
     * @param failedLatency  latency statistics of the failed requests
     * @param distinctUsers  distinct users among the failed requests
     */
    public record Report(String store, long ingested, long errorTotal, List<String> errorMessages,
                         Map<String, Long> failedByLevel, AggregationResult.StatsResult failedLatency,
                         long distinctUsers) {
        public Report {
            errorMessages = List.copyOf(errorMessages);
            failedByLevel = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(failedByLevel));
        }
    }

    public Report run() {
        try (LogPlatform platform = LogPlatform.builder().dataDir(dataDir).clock(clock).build()) {
            // 1. an index set for the application's own events (put = create, or keep it on a re-run)
            platform.indexSets().put(INDEX_SET, IndexSetSpec.withFields(List.of(
                    FieldSpec.of("log", FieldType.TEXT),
                    FieldSpec.of("level", FieldType.KEYWORD),
                    FieldSpec.of("user", FieldType.KEYWORD),
                    FieldSpec.of("status", FieldType.LONG),
                    FieldSpec.of("latency_ms", FieldType.DOUBLE))));

            // 2. ingest: searchable when ingest returns (refresh = true suits a demo; a busy app leaves it off). The
            //    idempotency key makes a re-run of the same batch replace it: every other batch gets unique ids, so
            //    two identical events are two documents
            DirectIngest.Result ingested = platform.ingest().ingest(INDEX_SET, events(), true, "example-startup-events");
            if (ingested.errors()) {
                throw new IllegalStateException("some events were not stored: " + ingested.items());
            }
            log.info("example ingested index_set={} accepted={} took_ms={}", INDEX_SET, ingested.accepted(),
                    ingested.tookMillis());

            // 3. search with the bklog query syntax, over the last hour, newest first
            String from = clock.instant().minus(Duration.ofHours(1)).toString();
            String to = clock.instant().plusSeconds(1).toString();
            SearchResponse errors = platform.search().search(INDEX_SET, new SearchParams(ERROR_QUERY, null, from, to,
                    null, 50, null, null, null, null));
            List<String> messages = errors.hits().stream().map(h -> String.valueOf(h.source().get("log"))).toList();
            log.info("example search query={} total={} took_ms={}", ERROR_QUERY, errors.total(), errors.took());

            // 4. aggregate: the search service builds the request (syntax, time range, field checks); the store
            //    computes the aggregations
            SearchRequest failed = platform.search().request(INDEX_SET, new SearchParams(FAILED_QUERY, null, from, to,
                            null, 0, null, null, null, null))
                    .toBuilder()
                    .aggregation("by_level", new Aggregation.Terms("level", 10))
                    .aggregation("latency", new Aggregation.Stats("latency_ms"))
                    .aggregation("users", new Aggregation.Cardinality("user"))
                    .build();
            SearchResult agg = platform.search().execute(failed);
            Map<String, Long> byLevel = new LinkedHashMap<>();
            ((AggregationResult.TermsResult) agg.aggregations().get("by_level")).buckets()
                    .forEach(b -> byLevel.put(b.key(), b.count()));
            var latency = (AggregationResult.StatsResult) agg.aggregations().get("latency");
            long users = ((AggregationResult.CardinalityResult) agg.aggregations().get("users")).value();
            log.info("example aggregation query={} total={} by_level={} latency_avg_ms={} users={}", FAILED_QUERY,
                    agg.total(), byLevel, latency.avg(), users);

            return new Report(platform.search().backendName(), ingested.accepted(), errors.total(), messages, byLevel,
                    latency, users);
        }
    }

    /**
     * Twenty checkout events over the last twenty minutes: every fifth a declined payment (ERROR, 402), every
     * seventh a slow inventory call (WARN, 504), the rest successful (INFO, 200).
     */
    List<Map<String, Object>> events() {
        Instant now = clock.instant();
        String[] users = {"alice", "bob", "carol"};
        List<Map<String, Object>> events = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("dtEventTimeStamp", now.minus(Duration.ofMinutes(20 - i)).toEpochMilli());
            String user = users[i % users.length];
            e.put("user", user);
            if (i % 5 == 0) {
                e.put("level", "ERROR");
                e.put("status", 402);
                e.put("latency_ms", 120.0 + i);
                e.put("log", "order " + (1000 + i) + " payment declined for " + user);
            } else if (i % 7 == 0) {
                e.put("level", "WARN");
                e.put("status", 504);
                e.put("latency_ms", 3000.0);
                e.put("log", "order " + (1000 + i) + " inventory service timed out");
            } else {
                e.put("level", "INFO");
                e.put("status", 200);
                e.put("latency_ms", 40.0 + i);
                e.put("log", "order " + (1000 + i) + " checked out by " + user);
            }
            events.add(e);
        }
        return events;
    }

    public static void main(String[] args) throws Exception {
        Path dir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("bklog-example");
        Report report = new EmbeddedLoggingApp(dir, Clock.systemUTC()).run();
        log.info("example done data_dir={} report={}", dir, report);
    }
}
