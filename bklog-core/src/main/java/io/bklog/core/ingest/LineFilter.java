package io.bklog.core.ingest;

import io.bklog.core.regex.SafePattern;
import io.bklog.core.regex.UserRegex;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * bklog's collection filter ({@code conditions}): conditions joined by AND form a group, an {@code or} item starts
 * a new group, groups are OR-ed. A line is collected when some group matches (or when there is no condition).
 * {@code regex} / {@code nregex} words are RE2 syntax ({@link SafePattern}), matched in linear time.
 * Immutable, thread-safe.
 */
public final class LineFilter {

    /** Collects everything. */
    public static final LineFilter NONE = new LineFilter(List.of(), null);

    private record Compiled(int index, Predicate<String> test) {
    }

    private final List<List<Compiled>> groups;
    private final String separator;

    private LineFilter(List<List<Compiled>> groups, String separator) {
        this.groups = groups;
        this.separator = separator;
    }

    /**
     * Builds a filter. {@code separator} is needed when some condition targets a column.
     *
     * @throws IllegalArgumentException for an invalid regex, a word over 255 chars, or a column condition without
     *                                  separator
     */
    public static LineFilter of(List<FilterCondition> conditions, String separator) {
        List<List<Compiled>> groups = new ArrayList<>();
        List<Compiled> current = new ArrayList<>();
        for (int i = 0; i < conditions.size(); i++) {
            FilterCondition c = conditions.get(i);
            if (c.logicOp().equals("or") && !current.isEmpty()) {
                groups.add(List.copyOf(current));
                current = new ArrayList<>();
            }
            if (c.word().isEmpty()) continue;
            if (c.word().length() > 255) {
                throw new IllegalArgumentException("conditions[" + i + "].word is " + c.word().length()
                        + " chars; at most 255 are allowed");
            }
            if (c.fieldIndex() != FilterCondition.WHOLE_LINE && (separator == null || separator.isEmpty())) {
                throw new IllegalArgumentException("conditions[" + i + "] targets column " + c.fieldIndex()
                        + " but no separator is set");
            }
            current.add(new Compiled(c.fieldIndex(), predicate(c, i)));
        }
        if (!current.isEmpty()) groups.add(List.copyOf(current));
        return new LineFilter(List.copyOf(groups), separator);
    }

    /**
     * From bklog's {@code conditions} object: {@code {"type": "match"|"separator"|"none", "match_type",
     * "match_content", "separator", "separator_filters": [{"fieldindex", "word", "op", "logic_op"}]}}.
     */
    public static LineFilter fromBklog(Map<String, ?> conditions) {
        if (conditions == null) return NONE;
        Object type = conditions.get("type");
        String t = type == null ? "none" : type.toString();
        switch (t) {
            case "none":
                return NONE;
            case "match": {
                Object content = conditions.get("match_content");
                Object mt = conditions.get("match_type");
                if (content == null || content.toString().isEmpty()) return NONE;
                return of(List.of(FilterCondition.line(mt == null ? "include" : mt.toString(), content.toString())), null);
            }
            case "separator": {
                Object sep = conditions.get("separator");
                Object filters = conditions.get("separator_filters");
                List<FilterCondition> list = new ArrayList<>();
                if (filters instanceof List<?> l) {
                    for (Object o : l) {
                        if (!(o instanceof Map<?, ?> f)) throw new IllegalArgumentException("separator_filters: expected objects");
                        Object idx = f.get("fieldindex");
                        int index = idx == null ? FilterCondition.WHOLE_LINE : Integer.parseInt(idx.toString().trim());
                        Object word = f.get("word");
                        list.add(new FilterCondition(index, str(f.get("op")), word == null ? "" : word.toString(),
                                str(f.get("logic_op"))));
                    }
                }
                if (!list.isEmpty() && (sep == null || sep.toString().isEmpty())) {
                    throw new IllegalArgumentException("conditions.separator is required with separator_filters");
                }
                return of(list, sep == null ? null : sep.toString());
            }
            default:
                throw new IllegalArgumentException("conditions.type '" + t + "' must be match, separator or none");
        }
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }

    static Predicate<String> predicate(FilterCondition c, int i) {
        String w = c.word();
        boolean line = c.fieldIndex() == FilterCondition.WHOLE_LINE;
        return switch (c.op()) {
            case "include" -> s -> s.contains(w);
            case "exclude" -> s -> !s.contains(w);
            case "eq" -> s -> s.equals(w);
            case "neq" -> s -> !s.equals(w);
            case "!=" -> line ? s -> !s.contains(w) : s -> !s.equals(w);
            case "regex", "nregex" -> {
                SafePattern p;
                try {
                    p = SafePattern.compile(w);
                } catch (UserRegex.InvalidRegexException e) {
                    throw new IllegalArgumentException("conditions[" + i + "].word is not a valid regex: "
                            + e.getMessage());
                }
                yield c.op().equals("regex") ? p::find : s -> !p.find(s);
            }
            default -> line ? s -> s.contains(w) : s -> s.equals(w); // "=" and unknown ops, as bklog
        };
    }

    public boolean isEmpty() {
        return groups.isEmpty();
    }

    /** Whether the line is collected. */
    public boolean test(String line) {
        if (groups.isEmpty()) return true;
        String[] columns = null;
        for (List<Compiled> g : groups) {
            boolean all = true;
            for (Compiled c : g) {
                String subject;
                if (c.index() == FilterCondition.WHOLE_LINE) {
                    subject = line;
                } else {
                    if (columns == null) columns = split(line, separator);
                    subject = c.index() <= columns.length ? columns[c.index() - 1] : null;
                }
                if (subject == null || !c.test().test(subject)) {
                    all = false;
                    break;
                }
            }
            if (all) return true;
        }
        return false;
    }

    private static String[] split(String line, String sep) {
        List<String> out = new ArrayList<>();
        int start = 0;
        while (true) {
            int end = line.indexOf(sep, start);
            if (end < 0) {
                out.add(line.substring(start));
                return out.toArray(new String[0]);
            }
            out.add(line.substring(start, end));
            start = end + sep.length();
        }
    }
}
