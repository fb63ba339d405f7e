package io.bklog.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.LogPlatform;
import io.bklog.core.auth.AuthService;
import io.bklog.core.mask.MaskingService;

import java.util.List;

/** Every route group of the API, in one place: add a new group here. */
public final class ApiRoutes {
    private ApiRoutes() {}

    public static List<RouteGroup> all(LogPlatform platform, ObjectMapper json) {
        return forRoles(platform, json, io.bklog.server.config.ServerRoles.all());
    }

    /**
     * The groups an instance with these roles serves: the probes and {@code /metrics} always; the ingest API with
     * {@code ingest}; every other group (the REST API, the web UI, the OpenAPI description) with {@code api}; and
     * {@link RoleGate}, which answers 404 naming the role for what this instance does not serve.
     */
    public static List<RouteGroup> forRoles(LogPlatform platform, ObjectMapper json,
                                            io.bklog.server.config.ServerRoles roles) {
        List<RouteGroup> all = everything(platform, json, roles.ids());
        java.util.ArrayList<RouteGroup> out = new java.util.ArrayList<>();
        out.add(new RoleGate(roles));
        for (RouteGroup g : all) {
            boolean always = g instanceof HealthRoutes || g instanceof MetricsRoutes;
            boolean ingest = g instanceof IngestRoutes;
            if (always || (ingest ? roles.has(io.bklog.server.config.ServerRoles.Role.INGEST)
                    : roles.has(io.bklog.server.config.ServerRoles.Role.API))) {
                out.add(g);
            }
        }
        return List.copyOf(out);
    }

    private static List<RouteGroup> everything(LogPlatform platform, ObjectMapper json, List<String> roles) {
        Bodies bodies = new Bodies(json);
        MaskingService masking = masking(platform);
        return List.of(
                new IndexSetRoutes(platform.indexSets(), bodies),
                new IngestRoutes(platform.pipeline(), bodies),
                new DeadLetterRoutes(platform.deadLetters(), platform.indexSets()),
                new MaskedSearchRoutes(platform.search(),
                        new io.bklog.core.search.ContextService(platform.indexSets(), platform.internals().store()),
                        new io.bklog.core.search.ExportService(platform.indexSets(), platform.search(), platform.internals().store()),
                        new io.bklog.core.search.FieldAnalysisService(platform.indexSets(), platform.search(),
                                platform.internals().store()),
                        platform.searchHistory(),
                        masking, bodies),
                new MaskingRoutes(masking, bodies),
                new TailRoutes(new io.bklog.core.search.TailService(platform.indexSets(), platform.search(),
                        platform.internals().store()), masking, json, java.time.Duration.ofSeconds(1), platform.meterRegistry()),
                new ExportJobRoutes(platform.exports(), masking, bodies),
                new FavoriteRoutes(new io.bklog.core.search.FavoriteService(platform.internals().metadata().favorites(),
                        platform.indexSets(), platform.search()), bodies),
                new AuthRoutes(auth(platform), bodies),
                new CollectorRoutes(platform.collectors(), platform.indexSets(), bodies),
                new AgentRoutes(new io.bklog.core.agent.AgentService(platform.internals().metadata(),
                        platform.indexSets(), platform.clock()), bodies),
                new HealthRoutes(platform.health(), roles), new MetricsRoutes(platform.meterRegistry()),
                new TaskRoutes(platform.scheduler(), bodies),
                new OpsRoutes(platform.operations(), platform.indexSets(), bodies),
                new PatternRoutes(platform.patterns(), masking, bodies, json),
                new AlertRoutes(platform.alerts(), bodies), new UiRoutes(), new OpenApiRoutes());
    }

    private static MaskingService masking(LogPlatform platform) {
        return new MaskingService(platform.internals().metadata(), platform.indexSets());
    }

    private static AuthService auth(LogPlatform platform) {
        return new AuthService(platform.internals().metadata(), platform.clock());
    }

    /**
     * The auth filter of {@code /api/**}; when enabled and no token exists yet, makes the bootstrap admin token of
     * the default space in {@code {dataDir}/admin-token}.
     */
    public static AuthFilter authFilter(LogPlatform platform, boolean enabled) {
        AuthService auth = auth(platform);
        if (enabled) {
            java.nio.file.Path dir = platform.internals().dataDir().orElseThrow(() -> new IllegalStateException("auth is enabled"
                    + " but the platform has no data dir to write the bootstrap admin token to; set data_dir or"
                    + " auth.enabled=false"));
            auth.bootstrap(dir, io.bklog.core.LogPlatformBuilder.DEFAULT_SPACE);
        }
        return new AuthFilter(auth, platform.indexSets(), enabled);
    }
}
