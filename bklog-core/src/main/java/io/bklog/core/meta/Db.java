package io.bklog.core.meta;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What every repository shares: the Jdbi handle factory, the clock for created/updated stamps, JSON mapping and
 * the translation of SQL errors into {@link MetadataException}s. Timestamps are stored as UTC
 * {@code DATETIME(3)}, JSON as text.
 */
final class Db {
    private static final TypeReference<List<String>> STRING_LIST = new TypeReference<>() {
    };

    final Jdbi jdbi;
    final Clock clock;
    final ObjectMapper mapper;

    Db(Jdbi jdbi, Clock clock, ObjectMapper mapper) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.mapper = mapper;
    }

    Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    // ---- values to and from columns ----

    /** The bind value of an instant: a UTC {@link LocalDateTime} (drivers never shift it by the JVM zone). */
    static LocalDateTime ts(Instant instant) {
        return instant == null ? null : LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        LocalDateTime t = rs.getObject(column, LocalDateTime.class);
        return t == null ? null : t.toInstant(ZoneOffset.UTC);
    }

    static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    String json(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) return null;
        try {
            return mapper.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new MetadataException("cannot write JSON column: " + e.getOriginalMessage(), e);
        }
    }

    String json(List<String> list) {
        try {
            return mapper.writeValueAsString(list == null ? List.of() : list);
        } catch (JsonProcessingException e) {
            throw new MetadataException("cannot write JSON column: " + e.getOriginalMessage(), e);
        }
    }

    JsonNode jsonNode(ResultSet rs, String column) throws SQLException {
        String text = rs.getString(column);
        if (text == null) return NullNode.getInstance();
        try {
            return mapper.readTree(text);
        } catch (JsonProcessingException e) {
            throw new MetadataException("column " + column + " holds invalid JSON: " + e.getOriginalMessage(), e);
        }
    }

    List<String> stringList(ResultSet rs, String column) throws SQLException {
        String text = rs.getString(column);
        if (text == null) return List.of();
        try {
            return List.copyOf(mapper.readValue(text, STRING_LIST));
        } catch (JsonProcessingException e) {
            throw new MetadataException("column " + column + " holds invalid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Column name/value pairs in order; values may be null. */
    static Map<String, Object> cols(Object... kv) {
        if (kv.length % 2 != 0) throw new IllegalArgumentException("cols needs name/value pairs");
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1] instanceof Instant t ? ts(t) : kv[i + 1]);
        }
        return m;
    }

    // ---- errors ----

    /**
     * Runs a write and turns unique-key and foreign-key violations into {@link DuplicateNameException} and
     * {@link MetadataReferenceException} naming the row.
     */
    <T> T write(String entity, String name, Supplier<T> action) {
        try {
            return action.get();
        } catch (JdbiException e) {
            SQLException sql = sqlCause(e);
            if (sql != null && isDuplicate(sql)) {
                throw new DuplicateNameException(entity, name, e);
            }
            if (sql != null && isForeignKey(sql)) {
                throw new MetadataReferenceException("cannot save or delete " + entity + " '" + name
                        + "': it refers to a row that does not exist, or other rows still refer to it ("
                        + firstLine(sql.getMessage()) + ")", e);
            }
            throw e;
        }
    }

    static SQLException sqlCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SQLException s) return s;
        }
        return null;
    }

    /** H2: 23505; MariaDB/MySQL: error 1062 (SQLState 23000). */
    static boolean isDuplicate(SQLException e) {
        return "23505".equals(e.getSQLState()) || e.getErrorCode() == 1062;
    }

    /** H2: 23503 / 23506; MariaDB/MySQL: 1451 (parent still referenced) / 1452 (parent missing). */
    static boolean isForeignKey(SQLException e) {
        String s = e.getSQLState();
        return "23503".equals(s) || "23506".equals(s) || e.getErrorCode() == 1451 || e.getErrorCode() == 1452;
    }

    static String firstLine(String message) {
        if (message == null) return "";
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
