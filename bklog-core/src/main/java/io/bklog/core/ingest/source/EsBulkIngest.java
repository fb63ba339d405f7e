package io.bklog.core.ingest.source;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;

/**
 * The parser of Elasticsearch {@code _bulk} bodies: NDJSON action/source pairs into {@link BulkItem}s, which
 * {@link EsBulkService} stores and answers in the ES shape. {@code index} and {@code create} are supported;
 * {@code update} and {@code delete} items come back with {@code illegal_argument_exception}.
 */
public final class EsBulkIngest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One parsed bulk item; {@code error} set when the item is invalid on its own. */
    public record BulkItem(String action, String index, String id, String source, int line, String errorType,
                           String error) {
    }

    private EsBulkIngest() {}

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
}
