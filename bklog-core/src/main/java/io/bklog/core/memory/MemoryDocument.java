package io.bklog.core.memory;

import io.bklog.spi.query.TextAnalysis;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One stored document: its id, timestamp (epoch millis), the source normalized to the mapping and an estimate of its
 * stored size. Immutable apart from a cache of analyzed text values.
 */
final class MemoryDocument {

    /** A token of analyzed text: its lower-cased term and where it sits in the original value. */
    record Token(String term, int start, int end) {}

    /** The runs {@link TextAnalysis} keeps: the complement of its separator. */
    private static final Pattern TOKEN = Pattern.compile("[\\p{L}\\p{Nd}]+");

    private final String id;
    private final long timestamp;
    private final Map<String, Object> source;
    private final long sizeBytes;
    private final Map<String, List<List<Token>>> analyzed = new ConcurrentHashMap<>();

    MemoryDocument(String id, long timestamp, Map<String, Object> source) {
        this.id = id;
        this.timestamp = timestamp;
        this.source = Collections.unmodifiableMap(new LinkedHashMap<>(source));
        this.sizeBytes = estimateSize(id, source);
    }

    String id() {
        return id;
    }

    long timestamp() {
        return timestamp;
    }

    Map<String, Object> source() {
        return source;
    }

    long sizeBytes() {
        return sizeBytes;
    }

    Object get(String field) {
        return source.get(field);
    }

    /** The tokens of each value of a text field, in order (cached). */
    List<List<Token>> tokens(String field) {
        return analyzed.computeIfAbsent(field, f -> {
            List<List<Token>> out = new ArrayList<>();
            for (Object v : DocumentValues.values(source.get(f))) {
                out.add(tokenize(v.toString()));
            }
            return out;
        });
    }

    /** Same tokens as {@link TextAnalysis#tokens}, with their offsets. */
    static List<Token> tokenize(String text) {
        List<Token> out = new ArrayList<>();
        Matcher m = TOKEN.matcher(text);
        while (m.find()) {
            out.add(new Token(TextAnalysis.truncate(DocumentValues.lower(m.group())), m.start(), m.end()));
        }
        return out;
    }

    private static long estimateSize(String id, Map<String, Object> source) {
        long size = 16 + id.length();
        for (Map.Entry<String, Object> e : source.entrySet()) {
            size += e.getKey().length() + 4;
            for (Object v : DocumentValues.values(e.getValue())) {
                size += v instanceof String s ? s.length() + 2 : 8;
            }
        }
        return size;
    }
}
