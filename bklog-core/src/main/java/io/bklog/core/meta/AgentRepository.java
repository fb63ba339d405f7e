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

    /**
     * Writes the agent's row: updates it when the name is the space's, else inserts it ({@code firstSeen} is kept from
     * the first report). False when the name belongs to another space (the update matched nothing and the insert
     * hit the name's key): two reports racing under one name never move it to another space.
     */
    public boolean record(Row r) {
        int n = db.jdbi.withHandle(h -> h.createUpdate("UPDATE " + TABLE + " SET host = :host, ips = :ips,"
                        + " labels = :labels, agent_version = :v, status = :status, last_seen = :seen"
                        + " WHERE name = :name AND space_uid = :space")
                .bind("space", r.spaceUid()).bind("host", r.host()).bind("ips", r.ips())
                .bind("labels", r.labels()).bind("v", r.agentVersion()).bind("status", r.status())
                .bind("seen", Db.ts(r.lastSeen())).bind("name", r.name()).execute());
        if (n > 0) return true;
        try {
            db.jdbi.useHandle(h -> h.createUpdate("INSERT INTO " + TABLE + " (name, space_uid, host, ips, labels,"
                            + " agent_version, status, first_seen, last_seen) VALUES (:name, :space, :host, :ips,"
                            + " :labels, :v, :status, :seen, :seen)")
                    .bind("space", r.spaceUid()).bind("host", r.host()).bind("ips", r.ips())
                    .bind("labels", r.labels()).bind("v", r.agentVersion()).bind("status", r.status())
                    .bind("seen", Db.ts(r.lastSeen())).bind("name", r.name()).execute());
            return true;
        } catch (org.jdbi.v3.core.statement.UnableToExecuteStatementException e) {
            if (duplicateKey(e)) return false;
            throw e;
        }
    }

    private static boolean duplicateKey(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            // MariaDB/MySQL ER_DUP_ENTRY 1062; H2 (and the SQL standard's unique violation) 23505
            if (t instanceof java.sql.SQLException s && (s.getErrorCode() == 1062 || "23505".equals(s.getSQLState()))) {
                return true;
            }
        }
        return false;
    }

    /** Removes the agent's row if it is of {@code spaceUid}; false when there is none. */
    public boolean delete(String name, String spaceUid) {
        return db.jdbi.withHandle(h -> h.createUpdate("DELETE FROM " + TABLE + " WHERE name = :n AND space_uid = :s")
                .bind("n", name).bind("s", spaceUid).execute()) > 0;
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
