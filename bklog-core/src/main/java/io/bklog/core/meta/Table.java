package io.bklog.core.meta;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.Update;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;

/**
 * The generic half of every repository: insert, optimistic update, delete and look-ups on one table whose rows
 * carry {@code version}, {@code created_at} and {@code updated_at} (or only {@code created_at} for append-only
 * tables). Column values come already converted (instants as UTC {@code LocalDateTime}, JSON as text).
 *
 * @param <R> the row record
 */
final class Table<R> {
    final Db db;
    final String table;
    final String entity;
    final String idColumn;
    final boolean generatedId;
    final boolean versioned;
    final RowMapper<R> mapper;
    private final Function<R, Object> idOf;
    private final ToLongFunction<R> versionOf;
    private final Function<R, String> nameOf;
    private final Function<R, Map<String, Object>> columnsOf;

    private Table(Builder<R> b) {
        this.db = b.db;
        this.table = b.table;
        this.entity = b.entity;
        this.idColumn = b.idColumn;
        this.generatedId = b.generatedId;
        this.versioned = b.versioned;
        this.mapper = b.mapper;
        this.idOf = b.idOf;
        this.versionOf = b.versionOf;
        this.nameOf = b.nameOf;
        this.columnsOf = b.columnsOf;
    }

    static <R> Builder<R> builder(Db db, String table, String entity) {
        return new Builder<>(db, table, entity);
    }

    String nameOf(R row) {
        return nameOf.apply(row);
    }

    // ---- writes ----

    R insert(R row) {
        return db.write(entity, nameOf(row), () -> db.jdbi.inTransaction(h -> insert(h, row)));
    }

    R insert(Handle h, R row) {
        Map<String, Object> cols = new LinkedHashMap<>();
        if (!generatedId) {
            Object id = idOf.apply(row);
            if (id == null) throw new IllegalArgumentException(entity + " '" + nameOf(row) + "' needs an id");
            cols.put(idColumn, id);
        }
        cols.putAll(columnsOf.apply(row));
        Instant now = db.now();
        if (versioned) {
            cols.put("version", 1L);
            cols.put("updated_at", Db.ts(now));
        }
        cols.putIfAbsent("created_at", Db.ts(now));
        String names = String.join(", ", cols.keySet());
        String values = cols.keySet().stream().map(c -> ":" + c).collect(Collectors.joining(", "));
        Update u = h.createUpdate("INSERT INTO " + table + " (" + names + ") VALUES (" + values + ")");
        cols.forEach(u::bind);
        Object id;
        if (generatedId) {
            id = u.executeAndReturnGeneratedKeys(idColumn).mapTo(Long.class).one();
        } else {
            u.execute();
            id = cols.get(idColumn);
        }
        return find(h, id).orElseThrow(() -> new MetadataException(entity + " '" + nameOf(row) + "' vanished"));
    }

    /**
     * Saves the row if its {@code version} is still the stored one, bumping the version; throws
     * {@link MetadataConflictException} if someone else changed it and {@link MetadataNotFoundException} if it is
     * gone.
     */
    R update(R row) {
        return db.write(entity, nameOf(row), () -> db.jdbi.inTransaction(h -> update(h, row)));
    }

    R update(Handle h, R row) {
        requireVersioned();
        Object id = idOf.apply(row);
        long expected = versionOf.applyAsLong(row);
        Map<String, Object> cols = columnsOf.apply(row);
        String sets = cols.keySet().stream().map(c -> c + " = :" + c).collect(Collectors.joining(", "));
        Update u = h.createUpdate("UPDATE " + table + " SET " + sets
                + ", version = version + 1, updated_at = :updated_at WHERE " + idColumn + " = :__id AND version = :__v");
        cols.forEach(u::bind);
        u.bind("updated_at", Db.ts(db.now())).bind("__id", id).bind("__v", expected);
        if (u.execute() == 0) {
            throw staleOrMissing(h, row, id, expected);
        }
        return find(h, id).orElseThrow(() -> missing(row, id));
    }

    /** Deletes the row if its version is still the stored one. */
    void delete(R row) {
        db.write(entity, nameOf(row), () -> db.jdbi.inTransaction(h -> {
            Object id = idOf.apply(row);
            long expected = versionOf.applyAsLong(row);
            Update u = h.createUpdate("DELETE FROM " + table + " WHERE " + idColumn + " = :__id"
                    + (versioned ? " AND version = :__v" : "")).bind("__id", id);
            if (versioned) u.bind("__v", expected);
            int n = u.execute();
            if (n == 0) throw versioned ? staleOrMissing(h, row, id, expected) : missing(row, id);
            return null;
        }));
    }

    /** Deletes by id whatever its version; false if there was no such row. */
    boolean deleteById(Object id) {
        return db.write(entity, String.valueOf(id), () -> db.jdbi.withHandle(h ->
                h.createUpdate("DELETE FROM " + table + " WHERE " + idColumn + " = :id").bind("id", id).execute() > 0));
    }

    /** Deletes the rows matching {@code where}; returns how many. */
    int deleteWhere(String where, Map<String, ?> binds) {
        return db.write(entity, where, () -> db.jdbi.withHandle(h -> {
            Update u = h.createUpdate("DELETE FROM " + table + " WHERE " + where);
            binds.forEach(u::bind);
            return u.execute();
        }));
    }

    private MetadataException staleOrMissing(Handle h, R row, Object id, long expected) {
        Optional<Long> current = h.createQuery("SELECT version FROM " + table + " WHERE " + idColumn + " = :id")
                .bind("id", id).mapTo(Long.class).findOne();
        if (current.isEmpty()) return missing(row, id);
        return new MetadataConflictException(entity, nameOf(row), current.get(), expected);
    }

    private MetadataNotFoundException missing(R row, Object id) {
        String name = nameOf(row);
        return new MetadataNotFoundException(entity, name, entity + " '" + name + "' (id " + id
                + ") does not exist; it may have been deleted by someone else");
    }

    private void requireVersioned() {
        if (!versioned) throw new UnsupportedOperationException(entity + " rows are append-only");
    }

    // ---- reads ----

    Optional<R> find(Object id) {
        return db.jdbi.withHandle(h -> find(h, id));
    }

    Optional<R> find(Handle h, Object id) {
        return h.createQuery("SELECT * FROM " + table + " WHERE " + idColumn + " = :id")
                .bind("id", id).map(mapper).findOne();
    }

    Optional<R> findOne(String where, Map<String, ?> binds) {
        List<R> rows = list(where, binds, idColumn, 2);
        if (rows.size() > 1) {
            throw new MetadataException("more than one " + entity + " matches " + where + " " + binds);
        }
        return rows.stream().findFirst();
    }

    /**
     * Rows matching {@code where} (or all when null), ordered by {@code orderBy}, at most {@code limit}
     * (0 = no limit).
     */
    List<R> list(String where, Map<String, ?> binds, String orderBy, int limit) {
        return db.jdbi.withHandle(h -> {
            StringBuilder sql = new StringBuilder("SELECT * FROM ").append(table);
            if (where != null) sql.append(" WHERE ").append(where);
            sql.append(" ORDER BY ").append(orderBy == null ? idColumn : orderBy);
            if (limit > 0) sql.append(" LIMIT ").append(limit);
            Query q = h.createQuery(sql.toString());
            binds.forEach(q::bind);
            return q.map(mapper).list();
        });
    }

    List<R> all() {
        return list(null, Map.of(), idColumn, 0);
    }

    long count(String where, Map<String, ?> binds) {
        return db.jdbi.withHandle(h -> {
            Query q = h.createQuery("SELECT COUNT(*) FROM " + table + (where == null ? "" : " WHERE " + where));
            binds.forEach(q::bind);
            return q.mapTo(Long.class).one();
        });
    }

    static final class Builder<R> {
        private final Db db;
        private final String table;
        private final String entity;
        private String idColumn = "id";
        private boolean generatedId = true;
        private boolean versioned = true;
        private RowMapper<R> mapper;
        private Function<R, Object> idOf;
        private ToLongFunction<R> versionOf = r -> 0;
        private Function<R, String> nameOf;
        private Function<R, Map<String, Object>> columnsOf;

        private Builder(Db db, String table, String entity) {
            this.db = db;
            this.table = table;
            this.entity = entity;
        }

        /** The id is given by the caller (a string key) instead of generated by the database. */
        Builder<R> assignedId(String column) {
            this.idColumn = column;
            this.generatedId = false;
            return this;
        }

        Builder<R> appendOnly() {
            this.versioned = false;
            return this;
        }

        Builder<R> mapper(RowMapper<R> mapper) {
            this.mapper = mapper;
            return this;
        }

        Builder<R> id(Function<R, Object> idOf) {
            this.idOf = idOf;
            return this;
        }

        Builder<R> version(ToLongFunction<R> versionOf) {
            this.versionOf = versionOf;
            return this;
        }

        /** How the row is named in error messages. */
        Builder<R> name(Function<R, String> nameOf) {
            this.nameOf = nameOf;
            return this;
        }

        /** The mutable columns and their bind values, in a stable order. */
        Builder<R> columns(Function<R, Map<String, Object>> columnsOf) {
            this.columnsOf = columnsOf;
            return this;
        }

        Table<R> build() {
            return new Table<>(this);
        }
    }
}
