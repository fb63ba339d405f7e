package io.bklog.server.http;

import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.core.LogPlatform;
import io.bklog.core.health.HealthRenderer;
import io.bklog.core.health.HealthReport;
import io.bklog.core.health.HealthzMetricCollector;
import io.bklog.core.health.NamespaceData;
import io.bklog.core.meta.MetadataHealthIndicator;
import io.javalin.Javalin;
import io.javalin.http.Context;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The probes, outside {@code /api} and unauthenticated like bklog's login-exempt healthz:
 * <ul>
 *   <li>{@code GET /healthz[?include=a,b|exclude=c][&format=json|text|console]}: every namespace of
 *   {@link LogPlatform#health()}; 200 when all selected namespaces pass, 503 otherwise.</li>
 *   <li>{@code GET /livez}: 200 {@code ok} while the process serves (no dependency is checked).</li>
 *   <li>{@code GET /readyz[?format=...]}: the metadata database ({@code mysql}) and a remote store
 *   ({@code elasticsearch}) when configured; 200 when they pass, 503 otherwise.</li>
 * </ul>
 */
public final class HealthRoutes implements RouteGroup {
    /** Namespaces that must pass for the instance to take traffic: metadata and a remote log store. */
    public static final Set<String> READY_NAMESPACES = Set.of(MetadataHealthIndicator.NAMESPACE, "elasticsearch");

    private final HealthzMetricCollector health;
    private final List<String> roles;

    public HealthRoutes(HealthzMetricCollector health) {
        this(health, List.of());
    }

    /** As above, answering the instance's roles ({@code server.roles}) with every probe. */
    public HealthRoutes(HealthzMetricCollector health, List<String> roles) {
        this.health = health;
        this.roles = List.copyOf(roles);
    }

    @Override
    public void register(Javalin app) {
        app.get("/healthz", ctx -> answer(ctx, health.collect(names(ctx, "include"), names(ctx, "exclude"))));
        app.get("/livez", ctx -> ctx.contentType("text/plain; charset=utf-8").result("ok\n"));
        app.get("/readyz", ctx -> {
            Set<String> ready = new LinkedHashSet<>(health.namespaces());
            ready.retainAll(READY_NAMESPACES);
            answer(ctx, forReadiness(health.collect(ready, Set.of())));
        });
    }

    /**
     * Metrics that /healthz reports failing but that must not take an instance out of service: at Elasticsearch's
     * shard limit the cluster refuses new indices only; today's indices take writes and every search still works,
     * so a load balancer must keep sending traffic to every instance.
     */
    static final Set<String> NOT_FOR_READINESS = Set.of("shards_percent_of_limit");

    static HealthReport forReadiness(HealthReport report) {
        List<NamespaceData> out = new ArrayList<>();
        for (NamespaceData n : report.data()) {
            if (n.data().stream().noneMatch(m -> NOT_FOR_READINESS.contains(m.metricName()))) {
                out.add(n);
                continue;
            }
            out.add(NamespaceData.of(n.namespace(), n.data().stream()
                    .filter(m -> !NOT_FOR_READINESS.contains(m.metricName())).toList()));
        }
        return HealthReport.of(out);
    }

    /** The output format asked for; {@code json} by default. */
    enum Format {
        JSON, TEXT, CONSOLE;

        static Format parse(String raw) {
            if (raw == null || raw.isBlank()) return JSON;
            try {
                return valueOf(raw.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new BklogException(ErrorCode.BAD_REQUEST, "unknown format '" + raw
                        + "'; expected json, text or console", "format");
            }
        }
    }

    private void answer(Context ctx, HealthReport report) {
        answer(ctx, report, roles);
    }

    /** The answer of {@code /healthz} and {@code /readyz} while the instance waits for its dependencies at start. */
    public static void answerWaiting(Context ctx, HealthReport report, List<String> roles) {
        answer(ctx, report, roles);
    }

    /**
     * Writes a report in the asked format; with {@code roles}, the JSON has a {@code roles} list, the text a last
     * line {@code roles: api,ingest}, and every answer the header {@code X-Bklog-Roles}.
     */
    static void answer(Context ctx, HealthReport report, List<String> roles) {
        Format format = Format.parse(ctx.queryParam("format"));
        ctx.status(report.status() ? 200 : 503);
        ctx.header("Cache-Control", "no-store");
        String rolesLine = roles.isEmpty() ? "" : "roles: " + String.join(",", roles) + "\n";
        if (!roles.isEmpty()) ctx.header("X-Bklog-Roles", String.join(",", roles));
        switch (format) {
            case JSON -> {
                java.util.Map<String, Object> body = new java.util.LinkedHashMap<>(HealthRenderer.json(report));
                if (!roles.isEmpty()) body.put("roles", roles);
                ctx.json(body);
            }
            case TEXT -> ctx.contentType("text/plain; charset=utf-8").result(HealthRenderer.kubernetes(report)
                    + rolesLine);
            case CONSOLE -> ctx.contentType("text/plain; charset=utf-8").result(HealthRenderer.console(report)
                    + rolesLine);
        }
    }

    /** {@code ?include=a,b&include=c} as {a, b, c}. */
    private static Set<String> names(Context ctx, String param) {
        return split(ctx.queryParams(param));
    }

    /** Comma-separated, possibly repeated values as a set of trimmed non-blank names. */
    public static Set<String> split(List<String> values) {
        Set<String> out = new LinkedHashSet<>();
        if (values == null) return out;
        for (String v : values) {
            Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(out::add);
        }
        return out;
    }
}
