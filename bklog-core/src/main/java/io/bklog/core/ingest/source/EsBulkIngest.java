package io.bklog.core.ingest.source;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.ingest.IngestPipeline;
import io.bklog.core.ingest.SourceLine;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Elasticsearch {@code _bulk} compatibility: NDJSON action/source pairs in, an ES-shaped response out
 * ({@code {"took", "errors", "items": [{"index": {"_index", "_id", "status", "result" | "error"}}]}}), so Beats,
 * Logstash and ES clients can ship here. Each item's source goes through the index set's {@link IngestPipeline}
 * (usually a JSON ETL) as one line; {@code _id} is kept as the document id, else the id is a hash of the index and
 * source (a replayed request does not duplicate). {@code index} and {@code create} are supported; {@code update}
 * and {@code delete} items fail with {@code illegal_argument_exception}. Thread-safe.
 */
public final class EsBulkIngest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One parsed bulk item; {@code error} set when the item is invalid on its own. */
    public record BulkItem(String action, String index, String id, String source, int line, String errorType,
                           String error) {
    }

    private final Function<String, Optional<IngestPipeline>> pipelines;
    private final Clock clock;

    /** @param pipelines index name (an index set) → its pipeline; empty gives {@code index_not_found_exception} */
    public EsBulkIngest(Function<String, Optional<IngestPipeline>> pipelines, Clock clock) {
        this.pipelines = pipelines;
        this.clock = clock;
    }

    /**
     * Parses an NDJSON bulk body.
     *
     * @param defaultIndex the index of {@code /{index}/_bulk}, or null
     * @throws IllegalArgumentException when an action line is not a JSON object with one action (the whole request
     *                                  is refused, as Elasticsearch does), naming the line
     */
    public static List<BulkItem> parse(String body, String defaultIndex) {
        List<BulkItem> items = new ArrayList<>();
        String[] lines = body.split("\n", -1);
        int i = 0;
        while (i < lines.length) {
            String actionLine = lines[i].strip();
            int lineNo = i + 1;
            i++;
            if (actionLine.isEmpty()) continue;
            JsonNode action;
            try {
                action = JSON.readTree(actionLine);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("_bulk line " + lineNo + ": action is not valid JSON: "
                        + e.getOriginalMessage());
            }
            if (action == null || !action.isObject() || action.size() != 1) {
                throw new IllegalArgumentException("_bulk line " + lineNo
                        + ": expected an action object like {\"index\":{...}}");
            }
            String name = action.fieldNames().next();
            JsonNode meta = action.get(name);
            String index = meta.hasNonNull("_index") ? meta.get("_index").asText() : defaultIndex;
            String id = meta.hasNonNull("_id") ? meta.get("_id").asText() : null;
            switch (name) {
                case "index", "create" -> {
                    if (i >= lines.length || lines[i].isBlank()) {
                        throw new IllegalArgumentException("_bulk line " + lineNo + ": " + name
                                + " action without a source line");
                    }
                    String source = lines[i++];
                    if (index == null || index.isBlank()) {
                        items.add(new BulkItem(name, index, id, source, lineNo, "action_request_validation_exception",
                                "index is missing"));
                    } else {
                        items.add(new BulkItem(name, index, id, source, lineNo, null, null));
                    }
                }
                case "update" -> {
                    i++; // its partial document
                    items.add(new BulkItem(name, index, id, null, lineNo, "illegal_argument_exception",
                            "action [update] is not supported by bklog ingest; use index or create"));
                }
                case "delete" -> items.add(new BulkItem(name, index, id, null, lineNo, "illegal_argument_exception",
                        "action [delete] is not supported by bklog ingest; use index or create"));
                default -> throw new IllegalArgumentException("_bulk line " + lineNo + ": unknown action [" + name
                        + "]; expected index, create, update or delete");
            }
        }
        return items;
    }

    /** Parses and ingests a bulk body; returns the ES response body. */
    public Map<String, Object> handle(String body, String defaultIndex) {
        long t0 = System.nanoTime();
        List<BulkItem> items = parse(body, defaultIndex);
        Object[] results = new Object[items.size()];
        Map<String, List<Integer>> byIndex = new LinkedHashMap<>();
        for (int k = 0; k < items.size(); k++) {
            BulkItem it = items.get(k);
            if (it.errorType() != null) {
                results[k] = error(it, it.id(), it.errorType().equals("index_not_found_exception") ? 404 : 400,
                        it.errorType(), it.error());
            } else {
                byIndex.computeIfAbsent(it.index(), x -> new ArrayList<>()).add(k);
            }
        }
        Instant now = clock.instant();
        for (Map.Entry<String, List<Integer>> e : byIndex.entrySet()) {
            String index = e.getKey();
            Optional<IngestPipeline> p = pipelines.apply(index);
            if (p.isEmpty()) {
                for (int k : e.getValue()) {
                    results[k] = error(items.get(k), items.get(k).id(), 404, "index_not_found_exception",
                            "no such index [" + index + "]");
                }
                continue;
            }
            List<SourceLine> lines = new ArrayList<>();
            for (int k : e.getValue()) {
                BulkItem it = items.get(k);
                SourceLine l = SourceLine.of("bulk:" + index, -1, it.source(), now);
                if (it.id() != null) l = l.withDocumentId(it.id());
                lines.add(l);
            }
            IngestPipeline.SubmitResult r = p.get().submit(lines);
            if (r.full()) {
                for (int k : e.getValue()) {
                    results[k] = error(items.get(k), items.get(k).id(), 429, "es_rejected_execution_exception",
                            r.reason());
                }
                continue;
            }
            Map<SourceLine, IngestPipeline.Processed> byLine = new java.util.IdentityHashMap<>();
            for (IngestPipeline.Processed pr : r.processed()) byLine.put(pr.line(), pr);
            for (int j = 0; j < lines.size(); j++) {
                int k = e.getValue().get(j);
                BulkItem it = items.get(k);
                IngestPipeline.Processed pr = byLine.get(lines.get(j));
                if (pr == null) {
                    // joined into a multi-line event or still open in one
                    results[k] = ok(it, index, it.id(), 202, "accepted");
                } else if (pr.filtered()) {
                    results[k] = ok(it, index, null, 200, "noop");
                } else if (!pr.indexSet().equals(index)) {
                    results[k] = error(it, pr.document().id(), 400, "mapper_parsing_exception",
                            "failed to parse; the document was sent to the dead-letter index set " + pr.indexSet());
                } else {
                    results[k] = ok(it, index, pr.document().id(), 201, "created");
                }
            }
        }
        boolean errors = false;
        List<Object> out = new ArrayList<>(results.length);
        for (Object o : results) {
            out.add(o);
            @SuppressWarnings("unchecked")
            Map<String, Object> inner = (Map<String, Object>) ((Map<String, Object>) o).values().iterator().next();
            errors |= inner.containsKey("error");
        }
        Map<String, Object> resp = new LinkedHashMap<>();
        resp.put("took", (System.nanoTime() - t0) / 1_000_000);
        resp.put("errors", errors);
        resp.put("items", out);
        return resp;
    }

    private static Map<String, Object> ok(BulkItem it, String index, String id, int status, String result) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("_index", index);
        m.put("_id", id);
        if (status == 201) m.put("_version", 1);
        m.put("result", result);
        m.put("status", status);
        return Map.of(it.action(), m);
    }

    private static Map<String, Object> error(BulkItem it, String id, int status, String type, String reason) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("_index", it.index());
        m.put("_id", id);
        m.put("status", status);
        m.put("error", Map.of("type", type, "reason", reason == null ? type : reason));
        return Map.of(it.action(), m);
    }
}
