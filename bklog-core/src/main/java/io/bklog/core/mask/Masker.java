package io.bklog.core.mask;

import io.bklog.core.regex.SafePattern;
import io.bklog.spi.SearchResult;
import io.bklog.spi.query.AggregationResult;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The masking of one index set, compiled once and applied at read time (bklog's desensitize handler).
 *
 * <p>Per field, every step finds its regex matches in the original value (no pattern = the whole value); a match
 * that overlaps no other is replaced by its operator, overlapping matches are merged so that every character any
 * of them masks stays masked, whatever the order of the steps (see {@code replacements}; docs/masking.md). A nested key {@code a.b} uses the steps of its top-level field {@code a}. In a <em>text field</em>
 * (raw log, e.g. {@code log}) the field's own steps run, plus every step with a pattern configured on any other
 * field, so a phone number inside the raw line is masked like the {@code phone} field.
 *
 * <p>Immutable and thread-safe.
 */
public final class Masker {
    private static final String OPEN = "<mark>";
    private static final String CLOSE = "</mark>";
    private static final Masker NONE = new Masker(Map.of(), Set.of());

    private final Map<String, List<MaskStep>> steps;

    /**
     * @param fieldSteps steps by field (any order; sorted here by priority)
     * @param textFields raw-text fields; they also get every patterned step of the other fields
     */
    public Masker(Map<String, List<MaskStep>> fieldSteps, Set<String> textFields) {
        Map<String, List<MaskStep>> all = new HashMap<>();
        fieldSteps.forEach((f, s) -> all.put(f, new ArrayList<>(s)));
        List<MaskStep> patterned = fieldSteps.values().stream().flatMap(List::stream)
                .filter(s -> s.pattern() != null).toList();
        for (String t : textFields) {
            List<MaskStep> own = all.computeIfAbsent(t, k -> new ArrayList<>());
            for (MaskStep s : patterned) if (!own.contains(s)) own.add(s);
        }
        Map<String, List<MaskStep>> sorted = new HashMap<>();
        all.forEach((f, s) -> {
            List<MaskStep> l = new ArrayList<>(s);
            l.sort(Comparator.comparingInt(MaskStep::sortIndex));
            if (!l.isEmpty()) sorted.put(f, List.copyOf(l));
        });
        this.steps = Map.copyOf(sorted);
    }

    /** Masks nothing. */
    public static Masker none() {
        return NONE;
    }

    public boolean isEmpty() {
        return steps.isEmpty();
    }

    /** The fields that have masking steps (text fields included). */
    public Set<String> fields() {
        return steps.keySet();
    }

    /** Whether values of {@code field} (or of its top-level field) are masked. */
    public boolean masks(String field) {
        return stepsOf(field) != null;
    }

    private List<MaskStep> stepsOf(String field) {
        List<MaskStep> s = steps.get(field);
        if (s == null) {
            int dot = field.indexOf('.');
            if (dot > 0) s = steps.get(field.substring(0, dot));
        }
        return s;
    }

    /** The masked form of one value of {@code field}; unchanged when the field has no steps. */
    public String mask(String field, String value) {
        if (value == null) return null;
        List<MaskStep> s = stepsOf(field);
        if (s == null) return value;
        return render(value, replacements(s, value), List.of());
    }

    /**
     * Masks a value: strings are masked; numbers and booleans of a masked field become masked strings; maps and
     * lists are masked element by element (a map entry {@code k} under {@code field} uses the steps of
     * {@code field}, its top-level field).
     */
    public Object maskValue(String field, Object value) {
        if (value == null || isEmpty()) return value;
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(String.valueOf(k), maskValue(field + "." + k, v)));
            return out;
        }
        if (value instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            for (Object o : l) out.add(maskValue(field, o));
            return out;
        }
        if (!masks(field)) return value;
        String s = String.valueOf(value);
        String masked = mask(field, s);
        return masked.equals(s) ? value : masked;
    }

    /** A copy of a document source with every masked field masked. */
    public Map<String, Object> maskSource(Map<String, Object> source) {
        if (isEmpty()) return source;
        Map<String, Object> out = new LinkedHashMap<>();
        source.forEach((k, v) -> out.put(k, maskValue(k, v)));
        return out;
    }

    /**
     * Masks a highlight fragment: the text without its {@code <mark>} tags is masked as a value, and the tags are
     * put back; a mark that overlaps a replaced piece grows to cover all of it, so no tag ever splits a mask and
     * no raw character survives inside a mark.
     */
    public String maskHighlight(String field, String fragment) {
        if (fragment == null) return null;
        List<MaskStep> s = stepsOf(field);
        if (s == null) return fragment;
        StringBuilder plain = new StringBuilder(fragment.length());
        List<int[]> marks = new ArrayList<>();
        int i = 0;
        int open = -1;
        while (i < fragment.length()) {
            if (fragment.startsWith(OPEN, i)) {
                if (open < 0) open = plain.length();
                i += OPEN.length();
            } else if (fragment.startsWith(CLOSE, i)) {
                if (open >= 0) marks.add(new int[] {open, plain.length()});
                open = -1;
                i += CLOSE.length();
            } else {
                plain.append(fragment.charAt(i++));
            }
        }
        if (open >= 0) marks.add(new int[] {open, plain.length()});
        String text = plain.toString();
        return render(text, replacements(s, text), marks);
    }

    /** A hit with its source and highlight fragments masked. */
    public SearchResult.Hit maskHit(SearchResult.Hit hit) {
        if (isEmpty()) return hit;
        Map<String, List<String>> hl = new LinkedHashMap<>();
        hit.highlights().forEach((f, frags) -> hl.put(f, frags.stream().map(x -> maskHighlight(f, x)).toList()));
        return new SearchResult.Hit(hit.index(), hit.id(), maskSource(hit.source()), hl, hit.sortValues());
    }

    /** Terms buckets with masked keys; buckets whose keys mask to the same text are merged (counts added). */
    public AggregationResult.TermsResult maskTerms(String field, AggregationResult.TermsResult terms) {
        if (!masks(field)) return terms;
        Map<String, Long> merged = new LinkedHashMap<>();
        for (AggregationResult.Bucket b : terms.buckets()) merged.merge(mask(field, b.key()), b.count(), Long::sum);
        List<AggregationResult.Bucket> out = new ArrayList<>();
        merged.forEach((k, c) -> out.add(new AggregationResult.Bucket(k, c)));
        out.sort(Comparator.comparingLong(AggregationResult.Bucket::count).reversed()
                .thenComparing(AggregationResult.Bucket::key));
        return new AggregationResult.TermsResult(out, terms.otherCount());
    }

    private record Replacement(int start, int end, String text) {}

    /** One regex match of one step, found in the original value. */
    private record Hit(int start, int end, MaskStep step, int priority, Map<String, String> groups) {}

    /**
     * Every step finds its matches in the original value (never in another step's output), so the result does not
     * depend on the order of the steps. A match that overlaps no other is replaced by its operator. Matches that
     * overlap form a cluster, masked character by character: a character stays visible only if every match
     * covering it is a {@code mask_shield} that keeps it (head or tail); any other character of the cluster becomes
     * the mark of the highest-priority {@code mask_shield} masking it ({@code *} when only {@code text_replace}
     * matches cover it: a template could copy raw characters another rule masks, so it is not applied there).
     */
    private static List<Replacement> replacements(List<MaskStep> steps, String value) {
        if (value.isEmpty()) return List.of();
        List<Hit> hits = new ArrayList<>();
        for (int p = 0; p < steps.size(); p++) {
            MaskStep step = steps.get(p);
            if (step.pattern() == null) {
                hits.add(new Hit(0, value.length(), step, p, Map.of()));
                continue;
            }
            SafePattern.SafeMatcher m = step.pattern().matcher(value);
            while (m.find()) {
                if (m.end() == m.start()) continue;
                Map<String, String> groups = Map.of();
                if (!step.groupNames().isEmpty()) {
                    groups = new HashMap<>();
                    for (String g : step.groupNames()) {
                        String v = m.group(g);
                        if (v != null) groups.put(g, v);
                    }
                }
                hits.add(new Hit(m.start(), m.end(), step, p, groups));
            }
        }
        if (hits.isEmpty()) return List.of();
        hits.sort(Comparator.comparingInt(Hit::start).thenComparingInt(Hit::priority));
        List<Replacement> out = new ArrayList<>();
        int i = 0;
        while (i < hits.size()) {
            int j = i + 1;
            int end = hits.get(i).end();
            while (j < hits.size() && hits.get(j).start() < end) {
                end = Math.max(end, hits.get(j).end());
                j++;
            }
            List<Hit> cluster = distinct(hits.subList(i, j));
            if (cluster.size() == 1) {
                Hit h = cluster.get(0);
                out.add(new Replacement(h.start(), h.end(),
                        h.step().operator().apply(value.substring(h.start(), h.end()), h.groups())));
            } else {
                out.add(new Replacement(hits.get(i).start(), end, merge(value, cluster, hits.get(i).start(), end)));
            }
            i = j;
        }
        return out;
    }

    /** The hits of a cluster without repeats (two steps with the same range and operator, e.g. one rule twice). */
    private static List<Hit> distinct(List<Hit> cluster) {
        if (cluster.size() == 1) return cluster;
        List<Hit> out = new ArrayList<>(cluster.size());
        for (Hit h : cluster) {
            boolean dup = false;
            for (Hit o : out) {
                if (o.start() == h.start() && o.end() == h.end() && o.step().operator().equals(h.step().operator())) {
                    dup = true;
                    break;
                }
            }
            if (!dup) out.add(h);
        }
        return out;
    }

    /** Renders a cluster of overlapping hits over {@code [start, end)} of {@code value}, code point by code point. */
    private static String merge(String value, List<Hit> cluster, int start, int end) {
        StringBuilder sb = new StringBuilder(end - start);
        int pos = start;
        while (pos < end) {
            int cp = value.codePointAt(pos);
            int next = pos + Character.charCount(cp);
            boolean kept = true;
            String mark = null;
            int markPriority = Integer.MAX_VALUE;
            for (Hit h : cluster) {
                if (pos < h.start() || pos >= h.end()) continue;
                if (h.step().operator() instanceof MaskOperator.MaskShield ms) {
                    if (!keeps(value, h, ms, pos)) {
                        kept = false;
                        if (h.priority() < markPriority) {
                            mark = ms.replaceMark();
                            markPriority = h.priority();
                        }
                    }
                } else {
                    kept = false;
                }
            }
            if (kept) sb.appendCodePoint(cp);
            else sb.append(mark == null ? MaskOperator.MaskShield.DEFAULT_MARK : mark);
            pos = next;
        }
        return sb.toString();
    }

    /** Whether {@code mask_shield} keeps the code point at {@code pos} of its match (the same rule as its apply). */
    private static boolean keeps(String value, Hit h, MaskOperator.MaskShield ms, int pos) {
        int head = ms.preserveHead();
        int tail = ms.preserveTail();
        if (head == 0 && tail == 0) return false;
        int len = value.codePointCount(h.start(), h.end());
        if (head + tail >= len) return true;
        int before = value.codePointCount(h.start(), pos);
        return before < head || before >= len - tail;
    }

    /** Writes {@code text} with replacements applied and marks (in text positions) re-inserted. */
    private static String render(String text, List<Replacement> reps, List<int[]> marks) {
        if (reps.isEmpty() && marks.isEmpty()) return text;
        // grow each mark to whole replacements, then merge overlapping marks
        List<int[]> grown = new ArrayList<>();
        for (int[] mk : marks) {
            int s = mk[0];
            int e = mk[1];
            for (Replacement r : reps) {
                if (s < r.end() && r.start() < e || (s == e && r.start() <= s && s < r.end())) {
                    s = Math.min(s, r.start());
                    e = Math.max(e, r.end());
                }
            }
            grown.add(new int[] {s, e});
        }
        grown.sort(Comparator.comparingInt(a -> a[0]));
        List<int[]> merged = new ArrayList<>();
        for (int[] g : grown) {
            if (!merged.isEmpty() && g[0] <= merged.get(merged.size() - 1)[1]) {
                int[] last = merged.get(merged.size() - 1);
                last[1] = Math.max(last[1], g[1]);
            } else {
                merged.add(g);
            }
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        int ri = 0;
        int mi = 0;
        boolean inMark = false;
        int pos = 0;
        while (pos <= text.length()) {
            if (inMark && merged.get(mi)[1] == pos) {
                out.append(CLOSE);
                inMark = false;
                mi++;
            }
            if (!inMark && mi < merged.size() && merged.get(mi)[0] == pos) {
                if (merged.get(mi)[1] == pos) {
                    out.append(OPEN).append(CLOSE);
                    mi++;
                    continue;
                }
                out.append(OPEN);
                inMark = true;
            }
            if (pos == text.length()) break;
            if (ri < reps.size() && reps.get(ri).start() == pos) {
                out.append(reps.get(ri).text());
                pos = reps.get(ri).end();
                ri++;
            } else {
                out.append(text.charAt(pos++));
            }
        }
        if (inMark) out.append(CLOSE);
        return out.toString();
    }
}
