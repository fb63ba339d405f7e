package io.bklog.testkit.store;

import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogDocument;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The fixed corpus of {@code LogStoreContract}: 24 nginx/app/db log lines, 8 per UTC day on 2024-03-01, -02 and
 * -03. Expectations are computed from {@link #ROWS} with plain Java predicates, so a reader sees why a document
 * matches.
 *
 * <p>Fields: {@code log} text, {@code host}/{@code path}/{@code level}/{@code tags} keyword ({@code tags} is
 * multi-valued), {@code status} long, {@code latency} double, {@code ok} boolean, {@code client_ip} ip, and the
 * time field {@code dtEventTimeStamp}. Some rows miss {@code status}, {@code latency}, {@code path}, {@code tags}.
 */
public final class NginxCorpus {

    public static final LocalDate DAY1 = LocalDate.parse("2024-03-01");
    public static final LocalDate DAY2 = LocalDate.parse("2024-03-02");
    public static final LocalDate DAY3 = LocalDate.parse("2024-03-03");
    public static final Instant START = Instant.parse("2024-03-01T00:00:00Z");
    public static final Instant END = Instant.parse("2024-03-04T00:00:00Z");

    /** One corpus line; null = the document does not have the field. */
    public record Row(String id, Instant time, String host, Long status, Double latency, Boolean ok, String clientIp,
                      String path, String level, List<String> tags, String log) {

        public long millis() {
            return time.toEpochMilli();
        }
    }

    public static final List<Row> ROWS = List.of(
            row("n01", "2024-03-01T00:00:00Z", "web-01", 200L, 0.012, true, "10.0.0.1", "/api/v1/users", "INFO",
                    List.of(), "GET /api/v1/users HTTP/1.1 200 OK"),
            row("n02", "2024-03-01T01:30:00Z", "web-01", 200L, 0.020, true, "10.0.0.2", "/api/v1/orders", "INFO",
                    List.of(), "GET /api/v1/orders HTTP/1.1 200 OK"),
            row("n03", "2024-03-01T03:15:00Z", "web-02", 404L, 0.003, false, "10.0.0.3", "/favicon.ico", "WARN",
                    List.of(), "GET /favicon.ico HTTP/1.1 404 Not Found"),
            row("n04", "2024-03-01T06:00:00Z", "web-02", 500L, 1.25, false, "10.0.0.9", "/api/v2/pay", "ERROR",
                    List.of("payment", "alert"), "upstream error: Connection refused while connecting to db-01"),
            row("n05", "2024-03-01T09:45:00Z", "db-01", null, null, true, "192.168.1.10", null, "INFO",
                    List.of(), "checkpoint complete: wrote 42 buffers"),
            row("n06", "2024-03-01T12:00:00Z", "web-01", 200L, 0.05, true, "10.0.0.10", "/api/v1/users", "INFO",
                    List.of(), "GET /api/v1/users?page=2 HTTP/1.1 200 OK"),
            row("n07", "2024-03-01T18:20:00Z", "web-01", 302L, 0.008, true, "10.0.0.1", "/login", "INFO",
                    List.of("auth"), "POST /login HTTP/1.1 302 Found"),
            row("n08", "2024-03-01T23:59:59.999Z", "web-02", 503L, 2.5, false, "10.0.0.4", "/api/v2/pay", "ERROR",
                    List.of("payment"), "Service Unavailable: refused connection from pool"),

            row("n09", "2024-03-02T00:00:00Z", "web-01", 200L, 0.015, true, "10.0.0.5", "/api/v1/users", "INFO",
                    List.of(), "GET /api/v1/users HTTP/1.1 200 OK"),
            row("n10", "2024-03-02T02:00:00Z", "web-02", 201L, 0.12, true, "10.0.0.6", "/api/v1/orders", "INFO",
                    List.of(), "POST /api/v1/orders HTTP/1.1 201 Created"),
            row("n11", "2024-03-02T04:10:00Z", "web-02", 500L, 0.9, false, "10.0.0.9", "/api/v2/pay", "ERROR",
                    List.of("payment", "alert"), "Connection refused: db-01:5432"),
            row("n12", "2024-03-02T08:00:00Z", "db-01", null, null, false, "192.168.1.10", null, "ERROR",
                    List.of("alert"), "FATAL: too many connections for role app"),
            row("n13", "2024-03-02T10:30:00Z", "web-01", 404L, 0.004, false, "10.0.0.7", "/robots.txt", "WARN",
                    List.of(), "GET /robots.txt HTTP/1.1 404 Not Found"),
            row("n14", "2024-03-02T13:00:00Z", "web-01", 200L, 0.03, true, "10.0.0.2", "/api/v1/users", "INFO",
                    List.of(), "GET /api/v1/users HTTP/1.1 200 OK"),
            row("n15", "2024-03-02T16:45:00Z", "WEB-01", 200L, 0.011, true, "10.0.0.8", "/Health", "INFO",
                    List.of(), "GET /Health HTTP/1.1 200 OK"),
            row("n16", "2024-03-02T21:00:00Z", "web-02", 302L, 0.006, true, "10.0.0.1", "/logout", "INFO",
                    List.of("auth"), "GET /logout HTTP/1.1 302 Found"),

            row("n17", "2024-03-03T00:00:00Z", "web-01", 200L, 0.010, true, "10.0.0.1", "/api/v1/users", "INFO",
                    List.of(), "GET /api/v1/users HTTP/1.1 200 OK"),
            row("n18", "2024-03-03T01:00:00Z", "web-02", 500L, 3.75, false, "10.0.0.9", "/api/v2/pay", "ERROR",
                    List.of("payment"), "refused: upstream connection reset by peer"),
            row("n19", "2024-03-03T05:00:00Z", "web-02", 404L, 0.002, false, "10.0.0.3", "/favicon.ico", "WARN",
                    List.of(), "GET /favicon.ico HTTP/1.1 404 Not Found"),
            row("n20", "2024-03-03T07:30:00Z", "web-01", 200L, 0.045, true, "10.0.0.11", "/api/v1/orders", "INFO",
                    List.of(), "GET /api/v1/orders HTTP/1.1 200 OK"),
            row("n21", "2024-03-03T11:00:00Z", "db-01", null, null, true, "192.168.1.11", null, "INFO",
                    List.of(), "autovacuum: processing table users"),
            row("n22", "2024-03-03T14:15:00Z", "web-01", 200L, 0.025, true, "10.0.0.2", "/api/v1/users", "INFO",
                    List.of(), "GET /api/v1/users HTTP/1.1 200 OK"),
            row("n23", "2024-03-03T19:00:00Z", "web-02", 503L, 3.0, false, "10.0.0.4", "/api/v2/pay", "ERROR",
                    List.of("payment", "alert"), "Service Unavailable: upstream timed out"),
            row("n24", "2024-03-03T23:00:00Z", "web-01", 200L, null, true, "10.0.0.12", "/api/v1/users", "INFO",
                    List.of(), "GET /api/v1/users HTTP/1.1 200 OK (no upstream timing)"));

    private NginxCorpus() {}

    private static Row row(String id, String time, String host, Long status, Double latency, Boolean ok, String ip,
                           String path, String level, List<String> tags, String log) {
        return new Row(id, Instant.parse(time), host, status, latency, ok, ip, path, level, tags, log);
    }

    /** The fields of the corpus; the time field is the default {@link IndexSetSchema#DEFAULT_TIME_FIELD}. */
    public static List<FieldSpec> fields() {
        return List.of(
                FieldSpec.of("log", FieldType.TEXT),
                FieldSpec.of("host", FieldType.KEYWORD),
                FieldSpec.of("status", FieldType.LONG),
                FieldSpec.of("latency", FieldType.DOUBLE),
                FieldSpec.of("ok", FieldType.BOOLEAN),
                FieldSpec.of("client_ip", FieldType.IP),
                FieldSpec.of("path", FieldType.KEYWORD),
                FieldSpec.of("level", FieldType.KEYWORD),
                FieldSpec.of("tags", FieldType.KEYWORD));
    }

    public static IndexSetSchema schema(String indexSet) {
        return IndexSetSchema.of(indexSet, fields());
    }

    public static LogDocument document(Row r) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("log", r.log());
        f.put("host", r.host());
        if (r.status() != null) f.put("status", r.status());
        if (r.latency() != null) f.put("latency", r.latency());
        if (r.ok() != null) f.put("ok", r.ok());
        if (r.clientIp() != null) f.put("client_ip", r.clientIp());
        if (r.path() != null) f.put("path", r.path());
        f.put("level", r.level());
        if (!r.tags().isEmpty()) f.put("tags", r.tags());
        return new LogDocument(r.id(), r.time(), f);
    }

    public static List<LogDocument> documents() {
        return ROWS.stream().map(NginxCorpus::document).toList();
    }

    /** Ids of the rows matching {@code p}, in corpus order. */
    public static List<String> ids(Predicate<Row> p) {
        return ROWS.stream().filter(p).map(Row::id).toList();
    }

    public static Row byId(String id) {
        return ROWS.stream().filter(r -> r.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no corpus row " + id));
    }

    /**
     * {@code n} generated documents over the three corpus days (for paging), ids {@code g00000..}; every 7th misses
     * {@code status}, statuses repeat so sort keys tie often.
     */
    public static List<LogDocument> generated(int n) {
        List<LogDocument> out = new ArrayList<>(n);
        long span = END.toEpochMilli() - START.toEpochMilli();
        long[] statuses = {200, 201, 302, 404, 500, 503};
        for (int i = 0; i < n; i++) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("log", "GET /item/" + i + " HTTP/1.1");
            f.put("host", "web-" + (i % 5));
            if (i % 7 != 0) f.put("status", statuses[(i * 31) % statuses.length]);
            f.put("latency", (i % 13) / 10.0);
            f.put("ok", i % 2 == 0);
            f.put("level", "INFO");
            // a few documents share one timestamp so the id tie-break matters
            Instant t = Instant.ofEpochMilli(START.toEpochMilli() + ((i * 7919L) % span) / 1000 * 1000);
            out.add(new LogDocument(String.format("g%05d", i), t, f));
        }
        return out;
    }
}
