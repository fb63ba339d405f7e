package io.bklog.core.meta;

import java.time.Instant;
import java.util.List;

/**
 * Where each collector's source runs and how it fares: one row per collector and instance (a server with the
 * {@code collect} role), written by that instance when the state changes and at every heartbeat. Any instance reads
 * it to answer a collector's status, whichever instance runs the source.
 */
public final class CollectorRuntimeRepository {
    static final String TABLE = "collector_runtime";
    private final Db db;

    /** One instance's view of one collector's source. */
    public record Row(long collectorId, String instance, String state, String reason, String detail,
                      long configVersion, Instant since, Instant heartbeatAt) {
    }

    CollectorRuntimeRepository(Db db) {
        this.db = db;
    }

    /** Writes this instance's row for the collector (insert or replace). */
    public void record(Row r) {
        db.jdbi.useTransaction(h -> {
            int n = h.createUpdate("UPDATE " + TABLE + " SET state = :state, reason = :reason, detail = :detail,"
                            + " config_version = :v, since = :since, heartbeat_at = :hb"
                            + " WHERE collector_id = :c AND instance = :i")
                    .bind("state", r.state()).bind("reason", r.reason()).bind("detail", r.detail())
                    .bind("v", r.configVersion()).bind("since", Db.ts(r.since())).bind("hb", Db.ts(r.heartbeatAt()))
                    .bind("c", r.collectorId()).bind("i", r.instance()).execute();
            if (n == 0) {
                h.createUpdate("INSERT INTO " + TABLE + " (collector_id, instance, state, reason, detail,"
                                + " config_version, since, heartbeat_at) VALUES (:c, :i, :state, :reason, :detail, :v,"
                                + " :since, :hb)")
                        .bind("state", r.state()).bind("reason", r.reason()).bind("detail", r.detail())
                        .bind("v", r.configVersion()).bind("since", Db.ts(r.since()))
                        .bind("hb", Db.ts(r.heartbeatAt())).bind("c", r.collectorId()).bind("i", r.instance())
                        .execute();
            }
        });
    }

    /** Every instance's row for the collector, the most recent heartbeat first. */
    public List<Row> of(long collectorId) {
        return db.jdbi.withHandle(h -> h.createQuery("SELECT * FROM " + TABLE + " WHERE collector_id = :c"
                        + " ORDER BY heartbeat_at DESC, instance").bind("c", collectorId)
                .map((rs, ctx) -> new Row(rs.getLong("collector_id"), rs.getString("instance"), rs.getString("state"),
                        rs.getString("reason"), rs.getString("detail"), rs.getLong("config_version"),
                        Db.instant(rs, "since"), Db.instant(rs, "heartbeat_at"))).list());
    }

    /** Forgets every instance's row of the collector (it was deleted). */
    public void forget(long collectorId) {
        db.jdbi.useHandle(h -> h.createUpdate("DELETE FROM " + TABLE + " WHERE collector_id = :c")
                .bind("c", collectorId).execute());
    }

    /** Forgets one instance's row of the collector (it no longer runs it there). */
    public void forget(long collectorId, String instance) {
        db.jdbi.useHandle(h -> h.createUpdate("DELETE FROM " + TABLE + " WHERE collector_id = :c AND instance = :i")
                .bind("c", collectorId).bind("i", instance).execute());
    }

    /** Forgets the instance's rows of every collector but {@code keep} (an agent that no longer runs them). */
    public void forgetAllBut(String instance, java.util.Collection<Long> keep) {
        db.jdbi.useHandle(h -> {
            if (keep.isEmpty()) {
                h.createUpdate("DELETE FROM " + TABLE + " WHERE instance = :i").bind("i", instance).execute();
            } else {
                h.createUpdate("DELETE FROM " + TABLE + " WHERE instance = :i AND collector_id NOT IN (<keep>)")
                        .bind("i", instance).bindList("keep", List.copyOf(keep)).execute();
            }
        });
    }
}
