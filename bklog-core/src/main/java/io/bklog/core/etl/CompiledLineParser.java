package io.bklog.core.etl;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.etl.time.TimeFormat;
import io.bklog.core.etl.time.TimeFormats;
import io.bklog.core.regex.SafePattern;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** The {@link LineParser} of every clean type. Immutable after construction; thread-safe. */
final class CompiledLineParser implements LineParser {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonFactory JSON = MAPPER.getFactory();

    /** A field of the config, resolved once. */
    private record Plan(String source, String output, ValueType type, TimeFormat format, ZoneOffset zone,
                        boolean time, boolean delete) {
    }

    private record RegexField(String name, String[] groups, Plan plan) {
    }

    /** Per-parse scratch state. */
    private static final class State {
        StringBuilder reasons;
        Object rawTime;
        final Instant now;

        State(Instant now) {
            this.now = now;
        }

        void fail(String reason) {
            if (reasons == null) reasons = new StringBuilder(reason);
            else reasons.append("; ").append(reason);
        }
    }

    private final EtlConfig config;
    private final EtlParams params;
    private final EtlType type;
    private final Clock clock;
    private final Map<String, Plan> bySource = new HashMap<>();
    private final Plan timePlan;
    private final Plan[] byColumn;
    private final int maxColumn;
    private final RegexField[] regexFields;
    private final NamedRegex regex;
    private final NamedRegex pathRegex;
    private final String separator;
    private final boolean retainOriginal;

    CompiledLineParser(EtlConfig config, Clock clock) {
        this.config = config;
        this.params = config.params();
        this.type = config.type();
        this.clock = clock;
        this.retainOriginal = params.retainOriginalText() || type == EtlType.TEXT;
        this.separator = params.separator();
        Plan tp = null;
        int max = 0;
        List<Plan> plans = new ArrayList<>();
        for (EtlField f : config.fields()) {
            ValueType vt = f.isDelete() ? ValueType.STRING : ValueType.parse(f.fieldType());
            TimeFormat fmt = f.timeFormat() == null || f.timeFormat().isBlank() ? null : TimeFormats.get(f.timeFormat());
            Plan p = new Plan(f.fieldName(), f.outputName(), vt, fmt, TimeFormats.zone(f.timeZone()),
                    f.isTime() && !f.isDelete(), f.isDelete());
            plans.add(p);
            if (p.source() != null) bySource.putIfAbsent(p.source(), p);
            if (p.time()) tp = p;
            if (f.fieldIndex() != null) max = Math.max(max, f.fieldIndex());
        }
        this.timePlan = tp;
        this.maxColumn = max;
        this.byColumn = new Plan[max + 1];
        for (int i = 0; i < config.fields().size(); i++) {
            Integer idx = config.fields().get(i).fieldIndex();
            if (idx != null && idx >= 1) byColumn[idx] = plans.get(i);
        }
        if (type == EtlType.REGEXP) {
            regex = params.isGrok() ? NamedRegex.grok(params.separatorRegexp(), params.grokPatterns(), params.grokPatternSet())
                    : NamedRegex.regex(params.separatorRegexp());
            List<RegexField> rf = new ArrayList<>();
            for (Map.Entry<String, List<String>> e : regex.groups().entrySet()) {
                Plan p = bySource.get(e.getKey());
                if (p == null) {
                    ValueType hinted = hintType(regex.hints().get(e.getKey()));
                    p = new Plan(e.getKey(), e.getKey(), hinted, null, ZoneOffset.UTC, false, false);
                    if (ReservedFields.isReserved(e.getKey())) {
                        // an undeclared group named like a built-in must not overwrite it
                        p = new Plan(e.getKey(), "__ext." + e.getKey(), hinted, null, ZoneOffset.UTC, false, false);
                    }
                }
                rf.add(new RegexField(e.getKey(), e.getValue().toArray(new String[0]), p));
            }
            regexFields = rf.toArray(new RegexField[0]);
        } else {
            regex = null;
            regexFields = new RegexField[0];
        }
        pathRegex = params.pathRegexp() == null || params.pathRegexp().isBlank() ? null : NamedRegex.regex(params.pathRegexp());
    }

    private static ValueType hintType(String hint) {
        if (hint == null) return ValueType.STRING;
        ValueType t = ValueType.parse(hint);
        return t == null || t == ValueType.OBJECT ? ValueType.STRING : t;
    }

    @Override
    public EtlConfig config() {
        return config;
    }

    @Override
    public ParsedDocument parse(String line) {
        return parse(line, null, clock.instant());
    }

    @Override
    public ParsedDocument parse(String line, String path, Instant ingestTime) {
        if (line == null) line = "";
        Map<String, Object> out = new LinkedHashMap<>(32);
        State st = new State(ingestTime);
        boolean extracted = switch (type) {
            case TEXT -> true;
            case JSON -> json(line, out, st);
            case DELIMITER -> delimiter(line, out, st);
            case REGEXP -> regexp(line, out, st);
        };
        if (path != null) {
            out.put(DocumentFields.PATH, path);
            if (pathRegex != null) {
                SafePattern.SafeMatcher m = pathRegex.pattern().matcher(path);
                if (m.find()) {
                    for (Map.Entry<String, List<String>> e : pathRegex.groups().entrySet()) {
                        String v = first(m, e.getValue());
                        if (v != null) out.put(e.getKey(), v);
                    }
                }
            }
        }
        Instant ts = ingestTime;
        String timeFormat = null;
        if (timePlan != null && extracted) {
            if (st.rawTime == null) {
                out.put(DocumentFields.TIME_MISSING, Boolean.TRUE);
            } else {
                try {
                    TimeFormat f = timePlan.format();
                    if (f != null && f.isAuto()) {
                        TimeFormat.Detected d = detect(f, st.rawTime, timePlan.zone(), ingestTime);
                        ts = d.instant();
                        timeFormat = d.format().id();
                    } else {
                        ts = ValueConverter.toDate(st.rawTime, f, timePlan.zone(), ingestTime);
                        timeFormat = f == null ? null : f.id();
                    }
                } catch (ValueConverter.ConversionException e) {
                    st.fail("time field '" + timePlan.source() + "': " + e.getMessage());
                }
            }
        }
        out.put(DocumentFields.TIME, ts.toEpochMilli());
        boolean failed = st.reasons != null;
        if (retainOriginal || failed) out.put(DocumentFields.LOG, line);
        String reason = failed ? st.reasons.toString() : null;
        if (params.recordParseFailure()) {
            out.put(DocumentFields.PARSE_FAILURE, failed);
            if (failed) out.put(DocumentFields.PARSE_FAILURE_REASON, reason);
        }
        return new ParsedDocument(out, ts, failed, reason, !failed || params.enableRetainContent(), timeFormat);
    }

    private static TimeFormat.Detected detect(TimeFormat auto, Object raw, ZoneOffset zone, Instant now)
            throws ValueConverter.ConversionException {
        String s = raw instanceof Double d ? java.math.BigDecimal.valueOf(d).toPlainString() : raw.toString();
        try {
            return auto.detect(s, zone, now);
        } catch (io.bklog.core.etl.time.TimeParseException e) {
            throw new ValueConverter.ConversionException("'" + ValueConverter.abbreviate(s) + "' is not a time: "
                    + e.getMessage());
        }
    }

    private void put(Plan p, Object raw, Map<String, Object> out, State st) {
        if (p.delete()) return;
        if (p.time()) st.rawTime = raw;
        if (p.type() == ValueType.STRING && raw instanceof String) {
            out.put(p.output(), raw);
            return;
        }
        try {
            out.put(p.output(), ValueConverter.convert(raw, p.type(), p.format(), p.zone(), st.now));
        } catch (ValueConverter.ConversionException e) {
            st.fail("field '" + p.source() + "' (" + p.type().name().toLowerCase() + "): " + e.getMessage());
        }
    }

    // ---- JSON ----

    private boolean json(String line, Map<String, Object> out, State st) {
        try (JsonParser p = JSON.createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                st.fail("line is not a JSON object");
                return false;
            }
            readObject(p, root, out, st);
            if (p.nextToken() != null) {
                st.fail("trailing content after the JSON object at column " + p.currentLocation().getColumnNr());
                return false;
            }
            return true;
        } catch (JsonProcessingException e) {
            st.fail("invalid JSON: " + e.getOriginalMessage() + " at column " + e.getLocation().getColumnNr());
            return false;
        } catch (IOException e) {
            st.fail("invalid JSON: " + e.getMessage());
            return false;
        }
    }

    /**
     * A JSON key path, resolved once and cached: its dotted key, its {@code __ext_json} key, its plan, and the
     * object-typed ancestor field it belongs to (then {@code objOutKey} is its stored name). Saves the string
     * concatenations and lookups per key per line. Bounded: past {@link #MAX_KEY_NODES} paths are resolved per line.
     */
    private static final class KeyNode {
        final String key;
        final String extKey;
        final Plan plan;
        final Plan inObject;
        final String objOutKey;
        final ConcurrentHashMap<String, KeyNode> children = new ConcurrentHashMap<>(8);

        KeyNode(String key, Plan plan, Plan inObject) {
            this.key = key;
            this.extKey = key == null ? null : DocumentFields.EXT_JSON + "." + key;
            this.plan = plan;
            this.inObject = inObject;
            this.objOutKey = inObject == null ? null : inObject.output() + key.substring(inObject.source().length());
        }
    }

    private static final int MAX_KEY_NODES = 10_000;
    private final KeyNode root = new KeyNode(null, null, null);
    private final AtomicInteger keyNodes = new AtomicInteger();

    private KeyNode child(KeyNode parent, String name) {
        KeyNode n = parent.children.get(name);
        if (n != null) return n;
        String key = parent.key == null ? name : parent.key + "." + name;
        Plan inObject = parent.inObject;
        if (inObject == null && parent.plan != null && (parent.plan.type() == ValueType.OBJECT || parent.plan.delete())) {
            inObject = parent.plan;
        }
        n = new KeyNode(key, bySource.get(key), inObject);
        if (keyNodes.get() < MAX_KEY_NODES) {
            KeyNode prev = parent.children.putIfAbsent(name, n);
            if (prev != null) return prev;
            keyNodes.incrementAndGet();
        }
        return n;
    }

    /** Reads an object's members below {@code parent}. */
    private void readObject(JsonParser p, KeyNode parent, Map<String, Object> out, State st) throws IOException {
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            KeyNode node = child(parent, p.currentName());
            JsonToken v = p.nextToken();
            Plan obj = node.inObject;
            if (obj != null) {
                if (v == JsonToken.START_OBJECT) {
                    readObject(p, node, out, st);
                } else if (!obj.delete()) {
                    Object val = value(p, v);
                    if (val != null) out.put(node.objOutKey, val);
                } else {
                    p.skipChildren();
                }
                continue;
            }
            Plan plan = node.plan;
            if (v == JsonToken.START_OBJECT) {
                if (plan == null || plan.type() == ValueType.OBJECT || plan.delete()) {
                    readObject(p, node, out, st);
                } else {
                    put(plan, MAPPER.readTree(p).toString(), out, st);
                }
                continue;
            }
            Object val = value(p, v);
            if (val == null) continue;
            if (plan != null) {
                put(plan, val, out, st);
            } else if (params.retainExtraJson()) {
                out.put(node.extKey, val);
            }
        }
        if (t != JsonToken.END_OBJECT) throw new IOException("unexpected token " + t);
    }

    /** A scalar, a list of scalars, or (for arrays holding objects) the array's JSON text; null for JSON null. */
    private static Object value(JsonParser p, JsonToken t) throws IOException {
        switch (t) {
            case VALUE_STRING:
                return p.getText();
            case VALUE_NUMBER_INT:
                if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) return p.getText();
                return p.getLongValue();
            case VALUE_NUMBER_FLOAT:
                return p.getDoubleValue();
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NULL:
                return null;
            case START_ARRAY: {
                com.fasterxml.jackson.databind.JsonNode arr = MAPPER.readTree(p);
                List<Object> list = new ArrayList<>(arr.size());
                for (com.fasterxml.jackson.databind.JsonNode n : arr) {
                    if (n.isContainerNode()) return arr.toString();
                    if (n.isNull()) continue;
                    if (n.isTextual()) list.add(n.textValue());
                    else if (n.isIntegralNumber() && n.canConvertToLong()) list.add(n.longValue());
                    else if (n.isNumber()) list.add(n.doubleValue());
                    else if (n.isBoolean()) list.add(n.booleanValue());
                    else list.add(n.asText());
                }
                return list;
            }
            default:
                throw new IOException("unexpected token " + t);
        }
    }

    // ---- delimiter ----

    private boolean delimiter(String line, Map<String, Object> out, State st) {
        int col = 1;
        int start = 0;
        int sepLen = separator.length();
        int len = line.length();
        while (col <= maxColumn) {
            int end = sepLen == 1 ? line.indexOf(separator.charAt(0), start) : line.indexOf(separator, start);
            if (end < 0) end = len;
            Plan p = byColumn[col];
            if (p != null) put(p, line.substring(start, end), out, st);
            if (end == len) break;
            start = end + sepLen;
            col++;
        }
        if (col < maxColumn) {
            StringBuilder missing = new StringBuilder();
            for (int c = col + 1; c <= maxColumn; c++) {
                if (byColumn[c] != null && !byColumn[c].delete()) {
                    if (missing.length() > 0) missing.append(", ");
                    missing.append(byColumn[c].source()).append('@').append(c);
                }
            }
            if (missing.length() > 0) {
                st.fail("line has " + col + " columns split by '" + separator + "'; missing " + missing);
                return false;
            }
        }
        return true;
    }

    // ---- regexp / grok ----

    private boolean regexp(String line, Map<String, Object> out, State st) {
        SafePattern.SafeMatcher m = regex.pattern().matcher(line);
        if (!m.find()) {
            st.fail(m.exhausted() ? "line needs too many steps to match the grok expression (it backtracks too much;"
                    + " make the expression more specific)"
                    : "line does not match " + (params.isGrok() ? "the grok expression" : "separator_regexp"));
            return false;
        }
        for (RegexField f : regexFields) {
            String v = first(m, f.groups());
            if (v != null) put(f.plan(), v, out, st);
        }
        return true;
    }

    private static String first(SafePattern.SafeMatcher m, String[] groups) {
        for (String g : groups) {
            String v = m.group(g);
            if (v != null) return v;
        }
        return null;
    }

    private static String first(SafePattern.SafeMatcher m, List<String> groups) {
        for (String g : groups) {
            String v = m.group(g);
            if (v != null) return v;
        }
        return null;
    }
}
