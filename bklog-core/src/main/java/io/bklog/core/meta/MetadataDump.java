package io.bklog.core.meta;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Exports every metadata table to a JSON-lines stream and imports such a stream into an empty database: the
 * metadata half of a full backup, and the way to move from the embedded H2 to MariaDB.
 *
 * <p>Format, one JSON object per line (UTF-8):
 * <pre>
 * {"format":"bklog-metadata","formatVersion":1,"schemaVersion":"3","exportedAt":"...","tables":[...]}
 * {"table":"spaces","row":{"id":1,"space_uid":"bkcc__2",...}}        (rows, parents before children)
 * {"end":true,"rows":{"spaces":1,...}}
 * </pre>
 * Timestamps are ISO-8601 UTC instants; JSON columns are kept as their text. The export runs in one
 * snapshot transaction (repeatable read on MariaDB/MySQL, serializable on H2), so it is consistent across tables
 * even while others write. The import runs in one
 * transaction: it loads everything or nothing, and refuses a truncated stream.
 */
public final class MetadataDump {
    public static final String FORMAT = "bklog-metadata";
    public static final int FORMAT_VERSION = 1;

    /** Every table of the current schema, parents before the rows that refer to them. */
    public static final List<String> TABLES = List.of(
            SpaceRepository.TABLE, TokenRepository.TABLE, IndexSetRepository.TABLE, CollectorConfigRepository.TABLE,
            DesensitizeRuleRepository.TABLE, DesensitizeFieldConfigRepository.TABLE, DesensitizeConfigRepository.TABLE,
            ArchiveConfigRepository.TABLE, ArchivedSnapshotRepository.TABLE, RestoreJobRepository.TABLE,
            BackupRecordRepository.TABLE, TaskRunRepository.TABLE, AsyncTaskRepository.TABLE, ExportJobRepository.TABLE,
            SearchHistoryRepository.TABLE, FavoriteRepository.TABLE, IndexSetCapacityRepository.TABLE,
            PatternRepository.TABLE, "alert_channels", "alert_rules", "alert_state", "alert_history",
            "alert_notifications", "alert_silences", EsCompatResourceRepository.TABLE,
            CollectorRuntimeRepository.TABLE, AgentRepository.TABLE);

    private static final Logger log = LoggerFactory.getLogger(MetadataDump.class);
    private static final int BATCH = 500;

    private final MetadataStore store;
    private final Db db;

    private MetadataDump(MetadataStore store) {
        this.store = store;
        this.db = store.db();
    }

    public static MetadataDump of(MetadataStore store) {
        return new MetadataDump(Objects.requireNonNull(store, "store"));
    }

    // ---- export ----

    /** Writes every table to {@code out} (not closed) and returns what was written. */
    public DumpSummary export(OutputStream out) {
        String version = store.schemaVersion().orElseThrow(() ->
                new MetadataException("cannot dump metadata: the database has no schema yet (run migrate first)"));
        if (!version.equals(store.expectedSchemaVersion())) {
            throw new MetadataException("cannot dump metadata: the database is at schema version " + version
                    + " but this bklog expects " + store.expectedSchemaVersion() + "; run migrate first");
        }
        Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
        Map<String, Long> counts = new LinkedHashMap<>();
        // One snapshot for every table: InnoDB's repeatable read is that; H2's repeatable read snapshots each table
        // on first use, its serializable level is the whole-database snapshot (and does not block writers). Plain
        // JDBC here: the isolation level must be in force before the first read.
        int snapshot = store.config().isH2() ? Connection.TRANSACTION_SERIALIZABLE
                : Connection.TRANSACTION_REPEATABLE_READ;
        try (Connection c = store.dataSource().getConnection()) {
            int isolation = c.getTransactionIsolation();
            boolean autoCommit = c.getAutoCommit();
            c.setTransactionIsolation(snapshot);
            c.setAutoCommit(false);
            try {
                ObjectNode header = Rows.MAPPER.createObjectNode().put("format", FORMAT)
                        .put("formatVersion", FORMAT_VERSION).put("schemaVersion", version)
                        .put("exportedAt", db.now().toString());
                ArrayNode tables = header.putArray("tables");
                TABLES.forEach(tables::add);
                line(w, header);
                for (String table : TABLES) counts.put(table, exportTable(c, table, w));
                ObjectNode end = Rows.MAPPER.createObjectNode().put("end", true);
                ObjectNode endRows = end.putObject("rows");
                counts.forEach(endRows::put);
                line(w, end);
            } finally {
                c.rollback();
                c.setAutoCommit(autoCommit);
                c.setTransactionIsolation(isolation);
            }
        } catch (SQLException e) {
            throw new MetadataException("cannot export metadata: " + Db.firstLine(e.getMessage()), e);
        }
        try {
            w.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the metadata dump", e);
        }
        DumpSummary summary = new DumpSummary(version, counts);
        log.info("metadata exported schemaVersion={} rows={}", version, summary.totalRows());
        return summary;
    }

    private long exportTable(Connection c, String table, Writer w) throws SQLException {
        String key = primaryKey(table);
        long n = 0;
        try (Statement st = c.createStatement()) {
            st.setFetchSize(1000);
            try (ResultSet rs = st.executeQuery("SELECT * FROM " + table + " ORDER BY " + key)) {
                ResultSetMetaData md = rs.getMetaData();
                while (rs.next()) {
                    ObjectNode line = Rows.MAPPER.createObjectNode().put("table", table);
                    ObjectNode row = line.putObject("row");
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        putValue(row, md.getColumnLabel(i).toLowerCase(java.util.Locale.ROOT), md.getColumnType(i),
                                rs, i);
                    }
                    line(w, line);
                    n++;
                }
            }
        }
        return n;
    }

    private static void putValue(ObjectNode row, String name, int type, ResultSet rs, int i) throws SQLException {
        switch (type) {
            case Types.TIMESTAMP, Types.TIMESTAMP_WITH_TIMEZONE, Types.DATE -> {
                LocalDateTime t = rs.getObject(i, LocalDateTime.class);
                if (t == null) row.putNull(name);
                else row.put(name, t.toInstant(ZoneOffset.UTC).toString());
            }
            case Types.BIGINT, Types.INTEGER, Types.SMALLINT, Types.TINYINT -> {
                long v = rs.getLong(i);
                if (rs.wasNull()) row.putNull(name);
                else row.put(name, v);
            }
            case Types.BOOLEAN, Types.BIT -> {
                boolean v = rs.getBoolean(i);
                if (rs.wasNull()) row.putNull(name);
                else row.put(name, v);
            }
            case Types.DOUBLE, Types.FLOAT, Types.REAL, Types.DECIMAL, Types.NUMERIC -> {
                double v = rs.getDouble(i);
                if (rs.wasNull()) row.putNull(name);
                else row.put(name, v);
            }
            default -> row.put(name, rs.getString(i));
        }
    }

    private static void line(Writer w, JsonNode node) {
        try {
            w.write(Rows.MAPPER.writeValueAsString(node));
            w.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the metadata dump", e);
        }
    }

    // ---- import ----

    /**
     * Loads a dump into this database, which must hold no metadata rows. An empty database is first migrated to
     * the dump's schema version; afterwards call {@link MetadataStore#migrate()} to bring it to the newest. All or
     * nothing: any error rolls the whole import back.
     */
    public DumpSummary importFrom(InputStream in) {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        JsonNode header = readLine(reader, 1);
        if (header == null || !FORMAT.equals(header.path("format").asText())) {
            throw new MetadataException("not a bklog metadata dump: the first line must be the "
                    + FORMAT + " header");
        }
        if (header.path("formatVersion").asInt() != FORMAT_VERSION) {
            throw new MetadataException("metadata dump format version " + header.path("formatVersion").asText()
                    + " is not supported; expected " + FORMAT_VERSION);
        }
        String version = header.path("schemaVersion").asText();
        String current = store.schemaVersion().orElse(null);
        if (current == null) {
            store.migrateTo(version);
            current = store.schemaVersion().orElse(null);
        }
        if (!version.equals(current)) {
            throw new MetadataException("metadata dump is of schema version " + version + " but the database is at "
                    + current + "; import into an empty database (it is migrated to " + version
                    + " first) and migrate afterwards");
        }
        Map<String, Long> counts;
        try {
            counts = db.jdbi.inTransaction(h -> {
                for (String table : TABLES) {
                    if (tableExists(h, table)) {
                        long rows = h.createQuery("SELECT COUNT(*) FROM " + table).mapTo(Long.class).one();
                        if (rows > 0) {
                            throw new MetadataException("cannot import metadata: table " + table + " already holds "
                                    + rows + " rows; import only into an empty database");
                        }
                    }
                }
                return importRows(h, reader);
            });
        } catch (SQLException e) {
            throw new MetadataException("cannot import metadata, nothing was imported: "
                    + Db.firstLine(e.getMessage()), e);
        }
        DumpSummary summary = new DumpSummary(version, counts);
        log.info("metadata imported schemaVersion={} rows={}", version, summary.totalRows());
        return summary;
    }

    private Map<String, Long> importRows(Handle h, BufferedReader reader) throws SQLException {
        Connection c = h.getConnection();
        Map<String, Long> counts = new LinkedHashMap<>();
        Map<String, Integer> columnTypes = null;
        List<String> columns = null;
        PreparedStatement insert = null;
        String table = null;
        int pending = 0;
        long lineNo = 1;
        try {
            while (true) {
                lineNo++;
                JsonNode line = readLine(reader, lineNo);
                if (line == null) {
                    throw new MetadataException("metadata dump is truncated: it ends at line " + (lineNo - 1)
                            + " without the end marker; nothing was imported");
                }
                if (line.path("end").asBoolean(false)) {
                    if (insert != null && pending > 0) insert.executeBatch();
                    checkCounts(line.path("rows"), counts);
                    return counts;
                }
                String t = line.path("table").asText(null);
                JsonNode row = line.get("row");
                if (t == null || row == null || !row.isObject()) {
                    throw new MetadataException("metadata dump line " + lineNo + " is neither a row nor the end marker");
                }
                if (!TABLES.contains(t)) {
                    throw new MetadataException("metadata dump line " + lineNo + " is for unknown table '" + t + "'");
                }
                if (!t.equals(table)) {
                    if (insert != null) {
                        if (pending > 0) insert.executeBatch();
                        insert.close();
                    }
                    if (counts.containsKey(t)) {
                        throw new MetadataException("metadata dump line " + lineNo + ": rows of table " + t
                                + " are not contiguous");
                    }
                    table = t;
                    columnTypes = columnTypes(c, t);
                    columns = new ArrayList<>();
                    row.fieldNames().forEachRemaining(columns::add);
                    for (String col : columns) {
                        if (!columnTypes.containsKey(col)) {
                            throw new MetadataException("metadata dump line " + lineNo + ": table " + t
                                    + " has no column '" + col + "'");
                        }
                    }
                    insert = c.prepareStatement("INSERT INTO " + t + " (" + String.join(", ", columns) + ") VALUES ("
                            + String.join(", ", java.util.Collections.nCopies(columns.size(), "?")) + ")");
                    pending = 0;
                    counts.put(t, 0L);
                }
                for (int i = 0; i < columns.size(); i++) {
                    String col = columns.get(i);
                    bind(insert, i + 1, columnTypes.get(col), row.get(col), t, col, lineNo);
                }
                insert.addBatch();
                counts.merge(t, 1L, Long::sum);
                if (++pending >= BATCH) {
                    insert.executeBatch();
                    pending = 0;
                }
            }
        } finally {
            if (insert != null) insert.close();
        }
    }

    private static void checkCounts(JsonNode expected, Map<String, Long> counts) {
        expected.fields().forEachRemaining(e -> {
            long want = e.getValue().asLong();
            long got = counts.getOrDefault(e.getKey(), 0L);
            if (want != got) {
                throw new MetadataException("metadata dump is inconsistent: table " + e.getKey() + " should have "
                        + want + " rows but " + got + " were found; nothing was imported");
            }
        });
    }

    private static void bind(PreparedStatement ps, int index, int type, JsonNode value, String table, String column,
                             long lineNo) throws SQLException {
        if (value == null || value.isNull()) {
            ps.setNull(index, type);
            return;
        }
        try {
            switch (type) {
                case Types.TIMESTAMP, Types.TIMESTAMP_WITH_TIMEZONE, Types.DATE ->
                        ps.setObject(index, LocalDateTime.ofInstant(Instant.parse(value.asText()), ZoneOffset.UTC));
                case Types.BIGINT, Types.INTEGER, Types.SMALLINT, Types.TINYINT -> ps.setLong(index, value.asLong());
                case Types.BOOLEAN, Types.BIT -> ps.setBoolean(index, value.isBoolean() ? value.booleanValue()
                        : value.asLong() != 0);
                case Types.DOUBLE, Types.FLOAT, Types.REAL, Types.DECIMAL, Types.NUMERIC ->
                        ps.setDouble(index, value.asDouble());
                default -> ps.setString(index, value.isTextual() ? value.textValue() : value.toString());
            }
        } catch (java.time.format.DateTimeParseException e) {
            throw new MetadataException("metadata dump line " + lineNo + ": " + table + "." + column
                    + " is not an ISO-8601 instant: " + value, e);
        }
    }

    private static Map<String, Integer> columnTypes(Connection c, String table) throws SQLException {
        Map<String, Integer> types = new LinkedHashMap<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT * FROM " + table + " WHERE 1 = 0")) {
            ResultSetMetaData md = rs.getMetaData();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                types.put(md.getColumnLabel(i).toLowerCase(java.util.Locale.ROOT), md.getColumnType(i));
            }
        }
        return types;
    }

    private static boolean tableExists(Handle h, String table) {
        try (Statement st = h.getConnection().createStatement()) {
            st.executeQuery("SELECT 1 FROM " + table + " WHERE 1 = 0").close();
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    private static String primaryKey(String table) {
        return switch (table) {
            case TaskRunRepository.TABLE -> "run_id";
            case IndexSetCapacityRepository.TABLE -> "index_set_id";
            case "alert_state" -> "rule_id";
            default -> "id";
        };
    }

    private static JsonNode readLine(BufferedReader reader, long lineNo) {
        try {
            String text = reader.readLine();
            while (text != null && text.isBlank()) text = reader.readLine();
            return text == null ? null : Rows.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new MetadataException("metadata dump line " + lineNo + " is not valid JSON: "
                    + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the metadata dump", e);
        }
    }
}
