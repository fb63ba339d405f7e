package io.bklog.benchmarks.lucene;

import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogDocument;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Deterministic nginx-like log documents for the Lucene benchmarks. */
final class LogCorpus {
    static final String SET = "bench";
    static final IndexSetSchema SCHEMA = IndexSetSchema.of(SET, List.of(
            FieldSpec.of("log", FieldType.TEXT), FieldSpec.of("level", FieldType.KEYWORD),
            FieldSpec.of("host", FieldType.KEYWORD), FieldSpec.of("path", FieldType.KEYWORD),
            FieldSpec.of("status", FieldType.LONG), FieldSpec.of("latency", FieldType.DOUBLE),
            FieldSpec.of("client_ip", FieldType.IP)));
    static final Instant START = Instant.parse("2024-03-01T00:00:00Z");
    private static final String[] WORDS = {"connection", "refused", "upstream", "timeout", "request", "completed",
            "user", "login", "payment", "order", "cache", "miss", "hit", "db", "query", "slow", "retry", "failed",
            "accepted", "closed", "reset", "peer", "sent", "bytes", "GET", "POST", "api", "v1", "v2", "health"};
    private static final String[] PATHS = {"/api/v1/orders", "/api/v1/users", "/api/v2/pay", "/health", "/login",
            "/static/app.js", "/favicon.ico", "/api/v1/cart"};
    private static final long[] STATUS = {200, 200, 200, 200, 201, 302, 404, 500, 503};

    private LogCorpus() {}

    /** {@code n} documents with ids {@code prefix + i}, spread evenly over {@code spanMillis} from {@link #START}. */
    static List<LogDocument> documents(String prefix, int from, int n, long spanMillis, long total) {
        List<LogDocument> out = new ArrayList<>(n);
        for (int i = from; i < from + n; i++) out.add(document(prefix, i, spanMillis, total));
        return out;
    }

    static LogDocument document(String prefix, long i, long spanMillis, long total) {
        SplittableRandom r = new SplittableRandom(i * 0x9E3779B97F4A7C15L);
        Map<String, Object> f = new LinkedHashMap<>();
        double p = r.nextDouble();
        String level = p < 0.1 ? "ERROR" : p < 0.3 ? "WARN" : "INFO";
        StringBuilder log = new StringBuilder(level).append(' ');
        int words = 8 + r.nextInt(12);
        for (int w = 0; w < words; w++) log.append(WORDS[r.nextInt(WORDS.length)]).append(w % 4 == 3 ? ": " : " ");
        if (level.equals("ERROR") && r.nextInt(3) == 0) log.append("connection refused by upstream");
        log.append(" id=").append(Long.toHexString(r.nextLong()));
        f.put("log", log.toString());
        f.put("level", level);
        f.put("host", "web-" + r.nextInt(50));
        f.put("path", PATHS[r.nextInt(PATHS.length)]);
        f.put("status", STATUS[r.nextInt(STATUS.length)]);
        f.put("latency", Math.round(r.nextDouble() * 2_000) / 1000.0);
        f.put("client_ip", "10." + r.nextInt(256) + "." + r.nextInt(256) + "." + r.nextInt(256));
        long t = START.toEpochMilli() + (total <= 1 ? 0 : (i % total) * spanMillis / total);
        return new LogDocument(prefix + i, Instant.ofEpochMilli(t), f);
    }
}
