package io.bklog.core.meta;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Index sets; {@code fields} is stored as {@code [{"name":..,"type":..}]}. */
public final class IndexSetRepository {
    static final String TABLE = "index_sets";
    private final Db db;
    private final Table<IndexSet> table;

    IndexSetRepository(Db db) {
        this.db = db;
        this.table = Table.<IndexSet>builder(db, TABLE, "index set")
                .mapper((rs, ctx) -> new IndexSet(rs.getLong("id"), rs.getString("name"), rs.getString("space_uid"),
                        rs.getString("time_field"), fields(rs), rs.getInt("retention_days"), rs.getInt("shards"),
                        rs.getInt("replicas"), rs.getString("rotation"), rs.getLong("rollover_bytes"),
                        rs.getString("store_name"), rs.getString("storage_cluster"), rs.getString("description"),
                        rs.getString("dynamic_mapping"), rs.getLong("version"), Db.instant(rs, "created_at"), Db.instant(rs, "updated_at"),
                        patterns(rs)))
                .id(IndexSet::id).version(IndexSet::version).name(IndexSet::name)
                .columns(s -> withPatterns(s, Db.cols("name", s.name(), "space_uid", s.spaceUid(), "time_field", s.timeField(),
                        "fields", db.json(fieldsJson(s.fields())), "retention_days", s.retentionDays(),
                        "shards", s.shards(), "replicas", s.replicas(), "rotation", s.rotation(),
                        "rollover_bytes", s.rolloverBytes(), "store_name", s.storeName(),
                        "storage_cluster", s.storageCluster(), "description", s.description(),
                        "dynamic_mapping", s.dynamic())))
                .build();
    }

    /**
     * The columns with {@code patterns}: a new index set with clustering off leaves it NULL (= off), so rows can be
     * written before V7 (upgrade tests); an update always writes it.
     */
    private Map<String, Object> withPatterns(IndexSet s, Map<String, Object> cols) {
        if (s.id() != 0 || s.patterns().enabled()) {
            cols.put("patterns", db.json(Rows.MAPPER.valueToTree(s.patterns())));
        }
        return cols;
    }

    private static JsonNode fieldsJson(List<FieldSpec> fields) {
        ArrayNode array = Rows.MAPPER.createArrayNode();
        for (FieldSpec f : fields) {
            array.addObject().put("name", f.name()).put("type", f.type().wireName());
        }
        return array;
    }

    private List<FieldSpec> fields(ResultSet rs) throws SQLException {
        JsonNode array = db.jsonNode(rs, "fields");
        List<FieldSpec> out = new ArrayList<>(array.size());
        for (JsonNode f : array) {
            out.add(new FieldSpec(f.path("name").asText(), FieldType.parse(f.path("type").asText())));
        }
        return out;
    }

    private io.bklog.core.patterns.PatternConfig patterns(ResultSet rs) throws SQLException {
        try {
            rs.findColumn("patterns");
        } catch (SQLException beforeV7) {
            return null;
        }
        JsonNode node = db.jsonNode(rs, "patterns");
        if (node.isNull() || node.isMissingNode()) return null;
        try {
            return Rows.MAPPER.treeToValue(node, io.bklog.core.patterns.PatternConfig.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new MetadataException("column patterns holds invalid settings: " + e.getOriginalMessage(), e);
        }
    }

    /** Creates the index set; {@link DuplicateNameException} if the name is taken. */
    public IndexSet create(IndexSet indexSet) {
        return table.insert(indexSet);
    }

    /** Saves changes if nobody else did meanwhile, else {@link MetadataConflictException}. */
    public IndexSet update(IndexSet indexSet) {
        return table.update(indexSet);
    }

    /**
     * Deletes the index set (with its desensitize configs, favorites, history and capacity);
     * {@link MetadataReferenceException} while collectors or archive configs still use it.
     */
    public void delete(IndexSet indexSet) {
        table.delete(indexSet);
    }

    public Optional<IndexSet> findById(long id) {
        return table.find(id);
    }

    public Optional<IndexSet> findByName(String name) {
        return table.findOne("name = :name", Map.of("name", name));
    }

    /** The index set, or {@link MetadataNotFoundException} naming it. */
    public IndexSet getByName(String name) {
        return findByName(name).orElseThrow(() -> new MetadataNotFoundException("index set", name));
    }

    public List<IndexSet> listBySpace(String spaceUid) {
        return table.list("space_uid = :s", Map.of("s", spaceUid), "name", 0);
    }

    public List<IndexSet> list() {
        return table.list(null, Map.of(), "name", 0);
    }
}
