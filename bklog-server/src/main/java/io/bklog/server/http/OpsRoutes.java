package io.bklog.server.http;

import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.core.auth.Role;
import io.bklog.core.indexset.IndexSetService;
import io.bklog.core.meta.IndexSet;
import io.bklog.core.meta.IndexSetCapacity;
import io.bklog.core.ops.BackupManifest;
import io.bklog.core.ops.BackupService;
import io.bklog.core.ops.Operations;
import io.bklog.core.ops.RestoreService;
import io.javalin.Javalin;
import io.javalin.http.HttpStatus;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Backups and restores as async tasks, platform admin only (a backup holds every space and a restore fills the shared
 * store's disk; docs/security.md#platform-and-space-roles): {@code POST|GET /api/v1/backups},
 * {@code POST /api/v1/backups/{id}/verify}, {@code POST /api/v1/index_sets/{name}/restores},
 * {@code GET /api/v1/restores}, {@code DELETE /api/v1/restores/{id}}; and index set capacity (admin of its space),
 * {@code GET /api/v1/index_sets/{name}/capacity}.
 */
final class OpsRoutes implements RouteGroup {
    /** Days a restore is kept when the request gives no expiry. */
    static final int DEFAULT_RESTORE_DAYS = 7;

    private final Operations ops;
    private final IndexSetService indexSets;
    private final Bodies bodies;

    OpsRoutes(Operations ops, IndexSetService indexSets, Bodies bodies) {
        this.ops = ops;
        this.indexSets = indexSets;
        this.bodies = bodies;
    }

    /** Body of {@code POST /api/v1/backups}. */
    record BackupRequest(String kind) {}

    /** Body of {@code POST /api/v1/index_sets/{name}/restores}: times as ISO-8601 or epoch ms. */
    record RestoreRequest(Object startTime, Object endTime, Object expiresAt, Integer expireDays) {}

    @Override
    public void register(Javalin app) {
        app.post("/api/v1/backups", ctx -> {
            platformAdmin(ctx);
            BackupRequest req = bodies.read(ctx, BackupRequest.class, new BackupRequest(null));
            String kind = req.kind() == null ? "full" : req.kind();
            String id = OpsCalls.call(() -> ops.submitBackup(kind));
            Map<String, Object> body = OpsCalls.accepted(id, Operations.BACKUP_TASK);
            body.put("kind", kind);
            ctx.status(HttpStatus.ACCEPTED).json(body);
        });
        app.get("/api/v1/backups", ctx -> {
            platformAdmin(ctx);
            ctx.json(Map.of("location", ops.backups().location().toString(),
                    "backups", OpsCalls.call(() -> ops.backups().list()).stream().map(OpsRoutes::backup).toList()));
        });
        app.post("/api/v1/backups/{id}/verify", ctx -> {
            platformAdmin(ctx);
            String id = ctx.pathParam("id");
            BackupService.Verification v = OpsCalls.call(() -> {
                ops.backups().get(id);
                return ops.backups().verify(id);
            });
            ctx.json(Map.of("id", v.id(), "ok", v.ok(), "problems", v.problems()));
        });
        app.post("/api/v1/index_sets/{name}/restores", ctx -> {
            platformAdmin(ctx);
            String name = ctx.pathParam("name");
            indexSets.get(name);
            RestoreRequest req = bodies.read(ctx, RestoreRequest.class, new RestoreRequest(null, null, null, null));
            Instant start = OpsCalls.time(req.startTime(), "start_time");
            Instant end = OpsCalls.time(req.endTime(), "end_time");
            Instant expires;
            if (req.expiresAt() != null) {
                expires = OpsCalls.time(req.expiresAt(), "expires_at");
            } else {
                int days = req.expireDays() == null ? DEFAULT_RESTORE_DAYS : req.expireDays();
                if (days < 1) {
                    throw new BklogException(ErrorCode.BAD_REQUEST, "expire_days must be at least 1, got " + days,
                            "expire_days");
                }
                expires = ops.clock().instant().plus(Duration.ofDays(days));
            }
            RestoreService.Started started = OpsCalls.call(() -> ops.startRestore(name, start, end, expires));
            Map<String, Object> body = OpsCalls.accepted(started.taskId(), Operations.ARCHIVE_RESTORE_TASK);
            body.put("restore", started.job());
            ctx.status(HttpStatus.ACCEPTED).json(body);
        });
        app.get("/api/v1/restores", ctx -> {
            platformAdmin(ctx);
            ctx.json(Map.of("restores", ops.restores().list()));
        });
        app.delete("/api/v1/restores/{id}", ctx -> {
            platformAdmin(ctx);
            long id;
            try {
                id = Long.parseLong(ctx.pathParam("id"));
            } catch (NumberFormatException e) {
                throw new BklogException(ErrorCode.BAD_REQUEST, "restore id must be a number, got '"
                        + ctx.pathParam("id") + "'", "id");
            }
            List<String> deleted = OpsCalls.call(() -> ops.restores().delete(id));
            ctx.json(Map.of("id", id, "deleted_indices", deleted));
        });
        app.get("/api/v1/index_sets/{name}/capacity", ctx -> {
            AuthFilter.require(ctx, Role.ADMIN);
            IndexSet set = indexSets.get(ctx.pathParam("name"));
            IndexSetCapacity c = ops.lifecycle().capacity(set.id());
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("index_set", set.name());
            body.put("doc_count", c.docCount());
            body.put("size_bytes", c.sizeBytes());
            body.put("index_count", c.indexCount());
            body.put("synced_at", c.syncedAt());
            ctx.json(body);
        });
    }

    private static void platformAdmin(io.javalin.http.Context ctx) {
        AuthFilter.require(ctx, Role.ADMIN);
        AuthFilter.requirePlatformAdmin(ctx, ctx.method() + " " + ctx.path() + " (backups and restores)");
    }

    private static Map<String, Object> backup(BackupManifest m) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", m.id());
        out.put("kind", m.kind());
        out.put("parent", m.parent());
        out.put("time", m.time());
        out.put("schema_version", m.schemaVersion());
        out.put("repository", m.repository());
        out.put("snapshot", m.snapshot());
        out.put("index_count", m.indices().size());
        out.put("total_docs", m.totalDocs());
        out.put("files", m.files().size());
        return out;
    }
}
