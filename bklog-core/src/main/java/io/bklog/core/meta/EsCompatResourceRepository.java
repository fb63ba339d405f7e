package io.bklog.core.meta;

import java.util.Optional;

/**
 * Resources a shipper puts on the Elasticsearch-compatible surface ({@code _template}, {@code _index_template},
 * {@code _component_template}, {@code _ilm/policy}, {@code _ingest/pipeline}), by kind and name, as the JSON body it
 * sent. Kept in the metadata database so that every server instance answers {@code HEAD}/{@code GET} the same
 * whichever instance took the {@code PUT}. Last writer wins, as in Elasticsearch.
 */
public final class EsCompatResourceRepository {
    static final String TABLE = "es_compat_resources";
    private final Db db;

    EsCompatResourceRepository(Db db) {
        this.db = db;
    }

    /** Stores {@code body} (JSON text) under {@code kind}/{@code name}, replacing what was there. */
    public void put(String kind, String name, String body) {
        var now = Db.ts(db.now());
        db.jdbi.useTransaction(h -> {
            int n = h.createUpdate("UPDATE " + TABLE + " SET body = :b, updated_at = :now WHERE kind = :k AND name = :n")
                    .bind("b", body).bind("now", now).bind("k", kind).bind("n", name).execute();
            if (n == 0) {
                try {
                    h.createUpdate("INSERT INTO " + TABLE + " (kind, name, body, created_at, updated_at)"
                                    + " VALUES (:k, :n, :b, :now, :now)")
                            .bind("b", body).bind("now", now).bind("k", kind).bind("n", name).execute();
                } catch (RuntimeException e) {
                    // another instance inserted it meanwhile: last writer wins
                    h.createUpdate("UPDATE " + TABLE + " SET body = :b, updated_at = :now WHERE kind = :k"
                                    + " AND name = :n").bind("b", body).bind("now", now).bind("k", kind)
                            .bind("n", name).execute();
                }
            }
        });
    }

    /** The body stored under {@code kind}/{@code name}. */
    public Optional<String> get(String kind, String name) {
        return db.jdbi.withHandle(h -> h.createQuery("SELECT body FROM " + TABLE + " WHERE kind = :k AND name = :n")
                .bind("k", kind).bind("n", name).mapTo(String.class).findOne());
    }

    /** Whether something is stored under {@code kind}/{@code name}. */
    public boolean exists(String kind, String name) {
        return db.jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM " + TABLE + " WHERE kind = :k AND name = :n")
                .bind("k", kind).bind("n", name).mapTo(Long.class).one()) > 0;
    }

    /** Forgets {@code kind}/{@code name}; whether it existed. */
    public boolean delete(String kind, String name) {
        return db.jdbi.withHandle(h -> h.createUpdate("DELETE FROM " + TABLE + " WHERE kind = :k AND name = :n")
                .bind("k", kind).bind("n", name).execute()) > 0;
    }
}
