package io.bklog.es;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.query.TextAnalysis;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Index settings and mappings of an index set: one custom analyzer that tokenizes exactly like
 * {@link TextAnalysis} (a {@code pattern} tokenizer on {@link TextAnalysis#SEPARATOR} + {@code lowercase}),
 * {@code dynamic: false} (unmapped fields stay in {@code _source} only), flat field names
 * ({@code subobjects: false}), and a copy of the document id ({@value #DOC_ID}) as the sort tie-break, because
 * sorting on {@code _id} is disabled in 8.x: doc values only (not indexed), so it costs what the sort needs. It stays
 * in {@code _source} (reads leave it out): a {@code _source.excludes} makes Elasticsearch parse and write every
 * document's source again as it indexes it, about a fifth of its indexing CPU for these documents, where the id in
 * the stored source costs a few compressed bytes (ids made one after another share their first 20-odd characters;
 * docs/benchmarks.md, issue 26). Indices made before keep their exclusion; both read back alike. {@value #LOG_FROM} marks a document whose raw line {@code log} is the
 * shipper's text field named by its value ({@code message}...), kept once (see {@link DerivedLog}). Stored fields
 * use DEFLATE ({@code legacy_best_compression} from Elasticsearch 8.14, where {@code best_compression} became zstd
 * over 240 KB blocks: a page of 50 hits spread over a block decompressed the whole block 50 times; DEFLATE with a
 * preset dictionary decompresses only the dictionary and the hit's sub-block, about half the fetch phase for 3 %
 * more bytes), and merges of the log-structured policy take 10 segments at once instead of 32, so a day's index
 * written by slow, concurrent bulks is searched in about as many segments as a plain index (docs/benchmarks.md,
 * issue 26). The schema's time field, shards, replicas and rollover size are kept in the mapping's {@code _meta}
 * so another process can read the schema back.
 */
final class EsMappings {
    static final String DOC_ID = "__doc_id";
    static final String LOG_FROM = "__log_from";
    static final String ANALYZER = "bklog_text";
    static final String TOKENIZER = "bklog_text_tokenizer";
    /** keyword values longer than this are kept in the source but not indexed (Lucene's term limit is 32766 bytes) */
    static final int IGNORE_ABOVE = 8191;
    /** DEFLATE stored fields (Elasticsearch 8.14+; {@link #forOlderNodes} falls back to {@code best_compression}) */
    static final String CODEC = "legacy_best_compression";
    /** segments merged at once by the log-structured merge policy (Elasticsearch's default: 32) */
    static final String MERGE_FACTOR = "merge.policy.merge_factor";
    static final int MERGE_FACTOR_VALUE = 10;

    private EsMappings() {}

    static ObjectNode settings(ObjectMapper om, IndexSetSchema schema) {
        ObjectNode s = om.createObjectNode();
        s.put("number_of_shards", schema.shards());
        s.put("number_of_replicas", schema.replicas());
        s.put("codec", CODEC);
        s.put(MERGE_FACTOR, MERGE_FACTOR_VALUE);
        ObjectNode analysis = s.putObject("analysis");
        analysis.putObject("tokenizer").putObject(TOKENIZER)
                .put("type", "pattern").put("pattern", TextAnalysis.SEPARATOR);
        ObjectNode analyzer = analysis.putObject("analyzer").putObject(ANALYZER);
        analyzer.put("type", "custom").put("tokenizer", TOKENIZER);
        analyzer.putArray("filter").add("lowercase");
        return s;
    }

    /**
     * Whether Elasticsearch refused {@code settings} for naming a codec or merge setting it does not know (a node
     * older than 8.14 has no {@code legacy_best_compression}, and older 8.x no {@code merge_factor}): the message of
     * the 400 answer.
     */
    static boolean refusedNewerSetting(String message) {
        if (message == null) return false;
        return message.contains("[index.codec]") || message.contains("index.merge.policy.merge_factor");
    }

    /**
     * {@code settings} for a node that refused them ({@link #refusedNewerSetting}): {@code best_compression}, which
     * is DEFLATE before 8.14, and the node's own merge policy.
     */
    static ObjectNode forOlderNodes(ObjectNode settings) {
        ObjectNode s = settings.deepCopy();
        s.put("codec", "best_compression");
        s.remove(MERGE_FACTOR);
        return s;
    }

    static ObjectNode mappings(ObjectMapper om, IndexSetSchema schema) {
        ObjectNode m = om.createObjectNode();
        m.put("dynamic", false);
        m.put("subobjects", false);
        ObjectNode meta = m.putObject("_meta");
        meta.put("bklog_index_set", schema.name());
        meta.put("time_field", schema.timeField());
        meta.put("shards", schema.shards());
        meta.put("replicas", schema.replicas());
        meta.put("rollover_bytes", schema.rolloverBytes());
        m.set("properties", properties(om, schema.fields()));
        return m;
    }

    static ObjectNode properties(ObjectMapper om, List<FieldSpec> fields) {
        ObjectNode props = internalProperties(om);
        props.putObject(DOC_ID).put("type", "keyword").put("index", false);
        for (FieldSpec f : fields) {
            props.set(f.name(), property(om, f.type()));
        }
        return props;
    }

    /**
     * The internal fields a document may carry besides {@link #DOC_ID} (whose mapping cannot change on an existing
     * index, so it is only ever set by the template): put on existing indices too, so an index made by an older
     * version takes the documents this one writes.
     */
    static ObjectNode internalProperties(ObjectMapper om) {
        ObjectNode props = om.createObjectNode();
        props.putObject(LOG_FROM).put("type", "keyword").put("doc_values", false);
        return props;
    }

    static ObjectNode property(ObjectMapper om, FieldType type) {
        ObjectNode p = om.createObjectNode();
        switch (type) {
            case KEYWORD -> p.put("type", "keyword").put("ignore_above", IGNORE_ABOVE);
            case TEXT -> p.put("type", "text").put("analyzer", ANALYZER);
            case LONG -> p.put("type", "long");
            case DOUBLE -> p.put("type", "double");
            case BOOLEAN -> p.put("type", "boolean");
            case IP -> p.put("type", "ip");
            case DATE -> p.put("type", "date").put("format", "epoch_millis||strict_date_optional_time");
        }
        return p;
    }

    /** Reads a schema back from a template or index mapping written by {@link #mappings}. */
    static IndexSetSchema schemaOf(String indexSet, JsonNode mappings) {
        JsonNode meta = mappings.path("_meta");
        List<FieldSpec> fields = new ArrayList<>();
        collect("", mappings.path("properties"), fields);
        return new IndexSetSchema(indexSet, meta.path("time_field").asText(IndexSetSchema.DEFAULT_TIME_FIELD),
                fields, Math.max(1, meta.path("shards").asInt(1)), Math.max(0, meta.path("replicas").asInt(0)),
                Math.max(0, meta.path("rollover_bytes").asLong(0)));
    }

    private static void collect(String prefix, JsonNode props, List<FieldSpec> out) {
        Iterator<Map.Entry<String, JsonNode>> it = props.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = prefix + e.getKey();
            if (name.equals(DOC_ID) || name.equals(LOG_FROM)) continue;
            JsonNode p = e.getValue();
            if (p.has("properties")) {
                collect(name + ".", p.path("properties"), out);
                continue;
            }
            FieldType type = typeOf(p.path("type").asText("object"));
            if (type != null) out.add(new FieldSpec(name, type));
        }
    }

    private static FieldType typeOf(String esType) {
        return switch (esType) {
            case "keyword", "constant_keyword", "wildcard" -> FieldType.KEYWORD;
            case "text", "match_only_text" -> FieldType.TEXT;
            case "long", "integer", "short", "byte", "unsigned_long" -> FieldType.LONG;
            case "double", "float", "half_float", "scaled_float" -> FieldType.DOUBLE;
            case "boolean" -> FieldType.BOOLEAN;
            case "ip" -> FieldType.IP;
            case "date", "date_nanos" -> FieldType.DATE;
            default -> null;
        };
    }
}
