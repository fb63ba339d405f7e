package io.bklog.core.meta;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The last status each agent ({@code bklog agent}) reported, one row per agent name: written by any server instance
 * the agent's heartbeat reaches, read by every instance for {@code GET /api/v1/agents}. The JSON columns are kept as
 * text so the agent package owns their shape.
 */
public final class AgentRepository {
    static final String TABLE = "agents";
    private final Db db;

    /**
     * One agent.
     *
     * @param ips     JSON list of the agent's addresses
     * @param labels  JSON object of its labels
     * @param status  JSON object: running collectors, lag, buffer
     */
    public record Row(String name, String spaceUid, String host, String ips, String labels, String agentVersion,
                      String status, Instant firstSeen, Instant lastSeen) {
    }

    AgentRepository(Db db) {
        this.db = db;
    }

    /** Writes the agent's row (insert or replace; {@code firstSeen} is kept from the first report). */
    public void record(Row r) {
        db.jdbi.useTransaction(h -> {
            int n = h.createUpdate("UPDATE " + TABLE + " SET space_uid = :space, host = :host, ips = :ips,"
                            + " labels = :labels, agent_version = :v, status = :status, last_seen = :seen"
                            + " WHERE name = :name")
                    .bind("space", r.spaceUid()).bind("host", r.host()).bind("ips", r.ips())
                    .bind("labels", r.labels()).bind("v", r.agentVersion()).bind("status", r.status())
                    .bind("seen", Db.ts(r.lastSeen())).bind("name", r.name()).execute();
            if (n == 0) {
                h.createUpdate("INSERT INTO " + TABLE + " (name, space_uid, host, ips, labels, agent_version, status,"
                                + " first_seen, last_seen) VALUES (:name, :space, :host, :ips, :labels, :v, :status,"
                                + " :seen, :seen)")
                        .bind("space", r.spaceUid()).bind("host", r.host()).bind("ips", r.ips())
                        .bind("labels", r.labels()).bind("v", r.agentVersion()).bind("status", r.status())
                        .bind("seen", Db.ts(r.lastSeen())).bind("name", r.name()).execute();
            }
        });
    }

    public Optional<Row> find(String name) {
        return db.jdbi.withHandle(h -> h.createQuery("SELECT * FROM " + TABLE + " WHERE name = :n").bind("n", name)
                .map((rs, ctx) -> row(rs)).findOne());
    }

    /** Every agent, by name. */
    public List<Row> list() {
        return db.jdbi.withHandle(h -> h.createQuery("SELECT * FROM " + TABLE + " ORDER BY name")
                .map((rs, ctx) -> row(rs)).list());
    }

    private static Row row(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Row(rs.getString("name"), rs.getString("space_uid"), rs.getString("host"), rs.getString("ips"),
                rs.getString("labels"), rs.getString("agent_version"), rs.getString("status"),
                Db.instant(rs, "first_seen"), Db.instant(rs, "last_seen"));
    }
}
