package io.bklog.server.http;

import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.core.auth.Role;
import io.bklog.core.schedule.AsyncTask;
import io.bklog.core.schedule.PeriodicTask;
import io.bklog.core.schedule.Scheduler;
import io.bklog.core.schedule.TaskRun;
import io.bklog.core.schedule.TaskSpec;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The scheduler's tasks, platform admin only (tasks act on every space, and their runs name indices and paths of all
 * of them; docs/security.md#platform-and-space-roles): {@code GET /api/v1/tasks},
 * {@code POST /api/v1/tasks/{name}/run}, {@code GET /api/v1/tasks/status/{id}},
 * {@code GET /api/v1/task_runs?task=&limit=}.
 */
final class TaskRoutes implements RouteGroup {
    static final int DEFAULT_RUNS = 50;
    static final int MAX_RUNS = 1_000;

    private final Scheduler scheduler;
    private final Bodies bodies;

    TaskRoutes(Scheduler scheduler, Bodies bodies) {
        this.scheduler = scheduler;
        this.bodies = bodies;
    }

    /** Body of {@code POST /api/v1/tasks/{name}/run}: the task's arguments. */
    record RunRequest(Map<String, String> args) {}

    @Override
    public void register(Javalin app) {
        app.get("/api/v1/tasks", ctx -> {
            platformAdmin(ctx);
            List<Map<String, Object>> out = new ArrayList<>();
            for (String name : scheduler.registry().names()) {
                out.add(describe(scheduler.registry().find(name).orElseThrow()));
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("beat", scheduler.runsBeat());
            body.put("beat_active", scheduler.beat().isActive());
            body.put("workers", scheduler.runsWorkers() ? scheduler.worker().threads() : 0);
            body.put("tasks", out);
            ctx.json(body);
        });
        app.post("/api/v1/tasks/{name}/run", ctx -> {
            platformAdmin(ctx);
            String name = ctx.pathParam("name");
            if (scheduler.registry().find(name).isEmpty()) {
                throw new BklogException(ErrorCode.TASK_NOT_FOUND, "no task named '" + name + "'; registered: "
                        + scheduler.registry().names(), "name");
            }
            RunRequest req = bodies.read(ctx, RunRequest.class, new RunRequest(Map.of()));
            String id = OpsCalls.call(() -> scheduler.submit(name, req.args() == null ? Map.of() : req.args()));
            ctx.status(HttpStatus.ACCEPTED).json(OpsCalls.accepted(id, name));
        });
        app.get("/api/v1/tasks/status/{id}", ctx -> {
            platformAdmin(ctx);
            String id = ctx.pathParam("id");
            ctx.json(OpsCalls.status(scheduler.status(id).orElseThrow(() -> new BklogException(
                    ErrorCode.TASK_NOT_FOUND, "no task with id '" + id + "'", "id"))));
        });
        app.get("/api/v1/task_runs", ctx -> {
            platformAdmin(ctx);
            int limit = limit(ctx);
            String task = ctx.queryParam("task");
            List<TaskRun> runs;
            if (task == null || task.isBlank()) {
                runs = scheduler.recorder().recent(limit);
            } else {
                if (scheduler.registry().find(task).isEmpty()) {
                    throw new BklogException(ErrorCode.TASK_NOT_FOUND, "no task named '" + task + "'; registered: "
                            + scheduler.registry().names(), "task");
                }
                runs = scheduler.recorder().recent(task, limit);
            }
            ctx.json(Map.of("runs", runs.stream().map(TaskRoutes::run).toList()));
        });
    }

    private static void platformAdmin(Context ctx) {
        AuthFilter.require(ctx, Role.ADMIN);
        AuthFilter.requirePlatformAdmin(ctx, ctx.method() + " " + ctx.path() + " (the scheduler's tasks)");
    }

    private static int limit(Context ctx) {
        String raw = ctx.queryParam("limit");
        if (raw == null || raw.isBlank()) return DEFAULT_RUNS;
        try {
            int n = Integer.parseInt(raw.trim());
            if (n >= 1 && n <= MAX_RUNS) return n;
        } catch (NumberFormatException ignored) {
            // refused below
        }
        throw new BklogException(ErrorCode.BAD_REQUEST, "limit must be a whole number from 1 to " + MAX_RUNS
                + ", got '" + raw + "'", "limit");
    }

    private Map<String, Object> describe(TaskSpec t) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", t.name());
        out.put("type", t instanceof PeriodicTask ? "periodic" : "async");
        out.put("schedule", t instanceof PeriodicTask p ? p.schedule().toString() : null);
        out.put("queue", t.queue());
        out.put("timeout_seconds", t.timeout().toSeconds());
        out.put("max_retries", t.maxRetries());
        if (t instanceof PeriodicTask p) {
            out.put("once_per_period", p.oncePerPeriod());
        } else if (!(t instanceof AsyncTask)) {
            throw new IllegalStateException("unknown task type " + t.getClass());
        }
        List<TaskRun> last = scheduler.recorder().recent(t.name(), 1);
        out.put("last_run", last.isEmpty() ? null : run(last.get(0)));
        return out;
    }

    static Map<String, Object> run(TaskRun r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("run_id", r.runId());
        out.put("task", r.task());
        out.put("queue", r.queue());
        out.put("period_start", r.periodStart());
        out.put("attempt", r.attempt());
        out.put("started_at", r.startedAt());
        out.put("ended_at", r.endedAt());
        out.put("duration_ms", r.duration().toMillis());
        out.put("outcome", r.outcome().tag());
        out.put("error", r.outcome() == TaskRun.Outcome.SUCCESS ? null : r.message());
        return out;
    }
}
