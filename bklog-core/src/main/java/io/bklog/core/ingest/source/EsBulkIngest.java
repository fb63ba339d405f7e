package io.bklog.core.ingest.source;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The parser of Elasticsearch {@code _bulk} bodies: NDJSON action/source pairs into {@link BulkItem}s, which
 * {@link EsBulkService} stores and answers in the ES shape. {@code index} and {@code create} are supported;
 * {@code update} and {@code delete} items come back with {@code illegal_argument_exception}.
 *
 * <p>As lenient as Elasticsearch 8 where it is lenient, as strict where it is strict:
 * <ul>
 *   <li>an action line with keys after the action object ({@code {"index":{...},"attempts":0}}, as
 *       winston-elasticsearch sends) is accepted and the extra keys are ignored, with a deprecation warning
 *       ({@link Parsed#warnings()}, answered as a {@code Warning} header);</li>
 *   <li>the metadata parameters Elasticsearch knows ({@code routing}, {@code pipeline}, {@code require_alias},
 *       {@code op_type}, {@code version}...) are accepted; {@code op_type: create} makes an {@code index} a
 *       {@code create}, the others have no effect on bklog;</li>
 *   <li>an unknown parameter inside the action object, an unknown action, a parameter that is an object, or an
 *       action line that is not JSON refuses the whole request naming the line and the key, with Elasticsearch's
 *       reason text.</li>
 * </ul>
 */
public final class EsBulkIngest {

    private static final JsonFactory JSON = new JsonFactory();

    /** The metadata parameters of an action line that Elasticsearch 8 accepts. */
    public static final Set<String> KNOWN_PARAMETERS = Set.of("_index", "_id", "routing", "op_type", "version",
            "version_type", "if_seq_no", "if_primary_term", "retry_on_conflict", "pipeline", "_source",
            "require_alias", "require_data_stream", "list_executed_pipelines", "dynamic_templates");

    /** Elasticsearch 8's deprecation warning for extra keys after the action object (its exact text, then ours). */
    public static final String EXTRA_KEYS_WARNING = "A bulk action object contained multiple keys. Additional keys"
            + " are currently ignored but will be rejected in a future version.";

    /** One parsed bulk item; {@code error} set when the item is invalid on its own. */
    public record BulkItem(String action, String index, String id, String source, int line, String errorType,
                           String error) {
    }

    /** The items of a body and the deprecation warnings its parsing raised (each once). */
    public record Parsed(List<BulkItem> items, List<String> warnings) {
        public Parsed {
            items = List.copyOf(items);
            warnings = List.copyOf(warnings);
        }
    }

    /**
     * A body Elasticsearch would refuse as a whole; {@code type} is the Elasticsearch error type
     * ({@code illegal_argument_exception}, or {@code x_content_parse_exception} for a line that is not JSON).
     */
    public static final class MalformedBulkException extends IllegalArgumentException {
        private final String type;

        MalformedBulkException(String type, String message) {
            super(message);
            this.type = type;
        }

        public String type() {
            return type;
        }
    }

    private EsBulkIngest() {}

    /**
     * Parses an NDJSON bulk body.
     *
     * @param defaultIndex the index of {@code /{index}/_bulk}, or null
     * @throws MalformedBulkException when an action line is malformed (the whole request is refused, as
     *                                Elasticsearch does), naming the line and the key
     */
    public static List<BulkItem> parse(String body, String defaultIndex) {
        return parseWithWarnings(body, defaultIndex).items();
    }

    /** As {@link #parse}, with the deprecation warnings Elasticsearch would send back for this body. */
    public static Parsed parseWithWarnings(String body, String defaultIndex) {
        List<BulkItem> items = new ArrayList<>();
        Set<String> extraKeys = new LinkedHashSet<>();
        int firstExtraLine = -1;
        String[] lines = body.split("\n", -1);
        String lastLine = null;
        Action lastAction = null;
        int i = 0;
        while (i < lines.length) {
            String actionLine = lines[i].strip();
            int lineNo = i + 1;
            i++;
            if (actionLine.isEmpty()) continue;
            // a shipper's batch repeats one action line ({"index":{"_index":"x"}}): read it once, as it reads the same
            Action a = actionLine.equals(lastLine) ? lastAction : action(actionLine, lineNo);
            lastLine = actionLine;
            lastAction = a;
            if (!a.extraKeys().isEmpty()) {
                if (firstExtraLine < 0) firstExtraLine = lineNo;
                extraKeys.addAll(a.extraKeys());
            }
            String index = a.index() != null ? a.index() : defaultIndex;
            String name = a.name();
            if (name.equals("index") && "create".equals(a.opType())) name = "create";
            switch (name) {
                case "index", "create" -> {
                    if (i >= lines.length || lines[i].isBlank()) {
                        throw new MalformedBulkException("illegal_argument_exception", "_bulk line " + lineNo
                                + ": " + a.name() + " action without a source line (the request must end with a"
                                + " newline after the last source line)");
                    }
                    String source = lines[i++];
                    if (index == null || index.isBlank()) {
                        items.add(new BulkItem(name, index, a.id(), source, lineNo,
                                "action_request_validation_exception", "index is missing"));
                    } else {
                        items.add(new BulkItem(name, index, a.id(), source, lineNo, null, null));
                    }
                }
                case "update" -> {
                    i++; // its partial document
                    items.add(new BulkItem(name, index, a.id(), null, lineNo, "illegal_argument_exception",
                            "action [update] is not supported by bklog ingest; use index or create"));
                }
                default -> items.add(new BulkItem(name, index, a.id(), null, lineNo, "illegal_argument_exception",
                        "action [delete] is not supported by bklog ingest; use index or create"));
            }
        }
        List<String> warnings = extraKeys.isEmpty() ? List.of() : List.of(EXTRA_KEYS_WARNING + " bklog ignored "
                + keyList(extraKeys) + " (first on _bulk line " + firstExtraLine + ").");
        return new Parsed(items, warnings);
    }

    /** At most this many extra keys are named in the warning (a header), the rest counted. */
    static final int MAX_WARNED_KEYS = 10;
    /** Longer extra key names are cut in the warning. */
    static final int MAX_WARNED_KEY_CHARS = 64;

    /** {@code [a, b, ...]}: the first {@link #MAX_WARNED_KEYS} keys, each cut, then "and N more". */
    static String keyList(Set<String> keys) {
        StringBuilder sb = new StringBuilder("[");
        int n = 0;
        for (String k : keys) {
            if (n == MAX_WARNED_KEYS) break;
            if (n++ > 0) sb.append(", ");
            sb.append(k.length() <= MAX_WARNED_KEY_CHARS ? k : k.substring(0, MAX_WARNED_KEY_CHARS) + "...");
        }
        if (keys.size() > MAX_WARNED_KEYS) sb.append(" and ").append(keys.size() - MAX_WARNED_KEYS).append(" more");
        return sb.append(']').toString();
    }

    private record Action(String name, String index, String id, String opType, List<String> extraKeys) {}

    /** Reads one action line as Elasticsearch 8's {@code BulkRequestParser} does. */
    private static Action action(String line, int lineNo) {
        String where = "Malformed action/metadata line [" + lineNo + "]";
        try (JsonParser p = JSON.createParser(line)) {
            JsonToken t = p.nextToken();
            if (t != JsonToken.START_OBJECT) {
                throw malformed(lineNo, where + ", expected START_OBJECT but found [" + token(t) + "]");
            }
            t = p.nextToken();
            if (t != JsonToken.FIELD_NAME) {
                throw malformed(lineNo, where + ", expected FIELD_NAME but found [" + token(t) + "]");
            }
            String name = p.currentName();
            if (!List.of("index", "create", "update", "delete").contains(name)) {
                throw malformed(lineNo, where + ", expected field [create], [delete], [index] or [update] but found ["
                        + name + "]");
            }
            String index = null;
            String id = null;
            String opType = null;
            t = p.nextToken();
            if (t == JsonToken.START_OBJECT) {
                while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    JsonToken v = p.nextToken();
                    if (!KNOWN_PARAMETERS.contains(key)) {
                        throw malformed(lineNo, "Action/metadata line [" + lineNo + "] contains an unknown parameter ["
                                + key + "]");
                    }
                    if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
                        if (key.equals("_source") || key.equals("dynamic_templates")) {
                            p.skipChildren();
                            continue;
                        }
                        throw malformed(lineNo, where + ", expected a simple value for field [" + key
                                + "] but found [" + token(v) + "]");
                    }
                    String value = v == JsonToken.VALUE_NULL ? null : p.getText();
                    switch (key) {
                        case "_index" -> index = value;
                        case "_id" -> id = value;
                        case "op_type" -> opType = value;
                        default -> { } // accepted, no effect on bklog (routing, pipeline, require_alias, version...)
                    }
                }
                if (t != JsonToken.END_OBJECT) {
                    throw malformed(lineNo, where + ", expected END_OBJECT but found [" + token(t) + "]");
                }
            } else if (t != JsonToken.END_OBJECT) {
                throw malformed(lineNo, where + ", expected START_OBJECT or END_OBJECT but found [" + token(t) + "]");
            }
            List<String> extra = new ArrayList<>();
            if (t == JsonToken.END_OBJECT && p.getParsingContext().inObject()) {
                // after the action's own object: the rest of the line's object, which Elasticsearch 8 ignores
                while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                    extra.add(p.currentName());
                    p.nextToken();
                    p.skipChildren();
                }
            }
            return new Action(name, index, id, opType, extra);
        } catch (JsonProcessingException e) {
            throw new MalformedBulkException("x_content_parse_exception", "Malformed action/metadata line ["
                    + lineNo + "] (_bulk line " + lineNo + "): action is not valid JSON: [" + lineNo + ":"
                    + e.getLocation().getColumnNr() + "] " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new MalformedBulkException("illegal_argument_exception", "_bulk line " + lineNo + ": " + e);
        }
    }

    private static MalformedBulkException malformed(int lineNo, String esReason) {
        return new MalformedBulkException("illegal_argument_exception", esReason + " (_bulk line " + lineNo + ")");
    }

    private static String token(JsonToken t) {
        return t == null ? "null" : t.name();
    }
}
