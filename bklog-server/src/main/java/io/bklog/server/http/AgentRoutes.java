package io.bklog.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.bklog.core.LogPlatformBuilder;
import io.bklog.core.agent.AgentService;
import io.bklog.core.agent.AgentTargets;
import io.bklog.core.auth.Role;
import io.javalin.Javalin;
import io.javalin.http.HttpStatus;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The agents' API ({@code bklog agent}, docs/deployment.md "Agents"):
 * {@code GET /api/v1/agents/configs?name=&host=&ip=&labels=} answers the collector configs that target the agent with
 * an {@code ETag} ({@code If-None-Match} answers 304 when nothing changed); {@code POST /api/v1/agents/{name}/status}
 * records its heartbeat; both need the {@code ingest} role only (an agent token reads no logs) and see the token's
 * space only. {@code GET /api/v1/agents} lists the space's agents (viewer); {@code DELETE /api/v1/agents/{name}}
 * forgets one (admin of the space).
 */
final class AgentRoutes implements RouteGroup {
    static final String PREFIX = "/api/v1/agents";

    private final AgentService agents;
    private final Bodies bodies;

    AgentRoutes(AgentService agents, Bodies bodies) {
        this.agents = agents;
        this.bodies = bodies;
    }

    @Override
    public void register(Javalin app) {
        app.get(PREFIX, ctx -> {
            AuthFilter.require(ctx, Role.VIEWER);
            ctx.json(Map.of("agents", agents.list(AuthFilter.principal(ctx).map(p -> p.spaceUid()).orElse(null)),
                    "stale_after_seconds", AgentService.STALE.toSeconds()));
        });
        app.get(PREFIX + "/configs", ctx -> {
            AuthFilter.require(ctx, Role.INGEST);
            AgentTargets.Identity who = AgentService.identity(ctx.queryParam("name"), ctx.queryParam("host"),
                    ctx.queryParam("ip"), ctx.queryParam("labels"));
            AgentService.Configs c = agents.configs(who, AuthFilter.principal(ctx).map(p -> p.spaceUid()).orElse(null));
            ctx.header("ETag", c.etag());
            if (c.etag().equals(ctx.header("If-None-Match"))) {
                ctx.status(HttpStatus.NOT_MODIFIED);
                return;
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("agent", who.name());
            out.put("etag", c.etag());
            out.put("collectors", c.collectors());
            ctx.json(out);
        });
        app.post(PREFIX + "/{name}/status", ctx -> {
            AuthFilter.require(ctx, Role.INGEST);
            if (ctx.bodyAsBytes().length > AgentService.MAX_STATUS_BYTES) {
                throw new io.bklog.core.BklogException(io.bklog.core.ErrorCode.PAYLOAD_TOO_LARGE, "a status report"
                        + " is at most " + (AgentService.MAX_STATUS_BYTES >> 10) + " KiB, got "
                        + ctx.bodyAsBytes().length + " bytes", null);
            }
            JsonNode body = bodies.read(ctx, JsonNode.class, JsonNodeFactory.instance.objectNode());
            agents.report(ctx.pathParam("name"), body, AuthFilter.principal(ctx).map(p -> p.spaceUid()).orElse(null),
                    LogPlatformBuilder.DEFAULT_SPACE);
            ctx.json(Map.of("name", ctx.pathParam("name"), "recorded", true));
        });
        app.delete(PREFIX + "/{name}", ctx -> {
            AuthFilter.require(ctx, Role.ADMIN);
            agents.delete(ctx.pathParam("name"), AuthFilter.principal(ctx).map(p -> p.spaceUid()).orElse(null),
                    LogPlatformBuilder.DEFAULT_SPACE);
            ctx.status(HttpStatus.NO_CONTENT);
        });
    }
}
