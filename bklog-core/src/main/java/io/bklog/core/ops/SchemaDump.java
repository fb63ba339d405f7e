package io.bklog.core.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bklog.core.meta.MetadataDump;
import io.bklog.core.meta.MetadataStore;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
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
import java.util.Locale;
import java.util.Map;

/**
 * Metadata export in the {@link MetadataDump} format for a database at an older schema version (which
 * {@link MetadataDump#export} refuses): only the tables that exist are written. {@link MetadataDump#importFrom}
 * reads it back (migrating an empty database to that version first). Used by the pre-upgrade backup, and the
 * table utilities the upgrade rollback needs.
 */
final class SchemaDump {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SchemaDump() {}

    static Map<String, Long> export(MetadataStore meta, OutputStream out) {
        String version = meta.schemaVersion().orElseThrow(() ->
                new OpsException("cannot back up metadata: the database has no schema yet"));
        Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
        Map<String, Long> rows = new LinkedHashMap<>();
        try (Connection c = meta.dataSource().getConnection()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            List<String> present = new ArrayList<>();
            for (String t : MetadataDump.TABLES) if (tableExists(c, t)) present.add(t);
            ObjectNode header = JSON.createObjectNode().put("format", MetadataDump.FORMAT)
                    .put("formatVersion", MetadataDump.FORMAT_VERSION).put("schemaVersion", version)
                    .put("exportedAt", Instant.now().toString());
            ArrayNode tables = header.putArray("tables");
            present.forEach(tables::add);
            line(w, header);
            for (String t : present) rows.put(t, exportTable(c, t, w));
            c.commit();
            ObjectNode end = JSON.createObjectNode().put("end", true);
            ObjectNode endRows = end.putObject("rows");
            rows.forEach(endRows::put);
            line(w, end);
            w.flush();
        } catch (SQLException e) {
            throw new OpsException("cannot export metadata: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the metadata dump", e);
        }
        return rows;
    }

    private static long exportTable(Connection c, String table, Writer w) throws SQLException, IOException {
        String key = switch (table) {
            case "task_runs" -> "run_id";
            case "index_set_capacity" -> "index_set_id";
            default -> "id";
        };
        long n = 0;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM " + table
                + " ORDER BY " + key)) {
            ResultSetMetaData md = rs.getMetaData();
            while (rs.next()) {
                ObjectNode line = JSON.createObjectNode().put("table", table);
                ObjectNode row = line.putObject("row");
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    String name = md.getColumnLabel(i).toLowerCase(Locale.ROOT);
                    switch (md.getColumnType(i)) {
                        case Types.TIMESTAMP, Types.TIMESTAMP_WITH_TIMEZONE, Types.DATE -> {
                            LocalDateTime t = rs.getObject(i, LocalDateTime.class);
                            if (t == null) row.putNull(name); else row.put(name, t.toInstant(ZoneOffset.UTC).toString());
                        }
                        case Types.BIGINT, Types.INTEGER, Types.SMALLINT, Types.TINYINT -> {
                            long v = rs.getLong(i);
                            if (rs.wasNull()) row.putNull(name); else row.put(name, v);
                        }
                        case Types.BOOLEAN, Types.BIT -> {
                            boolean v = rs.getBoolean(i);
                            if (rs.wasNull()) row.putNull(name); else row.put(name, v);
                        }
                        case Types.DOUBLE, Types.FLOAT, Types.REAL, Types.DECIMAL, Types.NUMERIC -> {
                            double v = rs.getDouble(i);
                            if (rs.wasNull()) row.putNull(name); else row.put(name, v);
                        }
                        default -> row.put(name, rs.getString(i));
                    }
                }
                line(w, line);
                n++;
            }
        }
        return n;
    }

    private static void line(Writer w, Object node) throws IOException {
        w.write(JSON.writeValueAsString(node));
        w.write('\n');
    }

    static boolean tableExists(Connection c, String table) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        for (String name : List.of(table, table.toUpperCase(Locale.ROOT))) {
            try (ResultSet rs = md.getTables(c.getCatalog(), c.getSchema(), name, new String[] {"TABLE"})) {
                if (rs.next()) return true;
            }
        }
        return false;
    }

    /** Names (lower case) of the tables in the metadata database's schema. */
    static List<String> tables(MetadataStore meta) {
        List<String> out = new ArrayList<>();
        try (Connection c = meta.dataSource().getConnection();
             ResultSet rs = c.getMetaData().getTables(c.getCatalog(), c.getSchema(), "%", new String[] {"TABLE"})) {
            while (rs.next()) out.add(rs.getString("TABLE_NAME").toLowerCase(Locale.ROOT));
        } catch (SQLException e) {
            throw new OpsException("cannot list the metadata tables: " + e.getMessage(), e);
        }
        return out;
    }

    /** Drops tables, in the given order, with foreign key checks off (H2 and MariaDB/MySQL). */
    static void drop(MetadataStore meta, List<String> tables) {
        boolean h2 = meta.config().isH2();
        try (Connection c = meta.dataSource().getConnection(); Statement st = c.createStatement()) {
            st.execute(h2 ? "SET REFERENTIAL_INTEGRITY FALSE" : "SET FOREIGN_KEY_CHECKS = 0");
            try {
                for (String t : tables) st.execute("DROP TABLE IF EXISTS " + t + (h2 ? " CASCADE" : ""));
            } finally {
                st.execute(h2 ? "SET REFERENTIAL_INTEGRITY TRUE" : "SET FOREIGN_KEY_CHECKS = 1");
            }
        } catch (SQLException e) {
            throw new OpsException("cannot drop metadata tables " + tables + ": " + e.getMessage(), e);
        }
    }
}
