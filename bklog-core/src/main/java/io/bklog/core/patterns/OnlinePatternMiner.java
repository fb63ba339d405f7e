package io.bklog.core.patterns;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The miner described in docs/patterns-algorithm.md: masking, exact match on the masked line, then match against
 * generalised patterns of the same length, and frequency-based generalisation: when {@code k} patterns differ from
 * each other in one position only, that position becomes a variable and they are merged into the new, more general
 * pattern. Which pattern absorbs which is a function of the set of patterns alone (the most general pattern that
 * covers it, then the smallest id), so instances converge by exchanging snapshots.
 */
final class OnlinePatternMiner implements PatternMiner {

    /** Patterns kept (including merged ones) before new lines go to the catch-all pattern {@link #OTHER}. */
    static final int DEFAULT_MAX_PATTERNS = 5_000;

    private static final String W = LineMasker.WILDCARD;
    /** The catch-all pattern's template, used once the pattern cap is reached; it covers no other pattern. */
    static final String OTHER = "<OTHER>";

    private final LineMasker masker;
    private final int k;
    private final int maxPatterns;

    private final Map<String, Pattern> byId = new HashMap<>();
    private final Map<String, Pattern> byKey = new HashMap<>();
    /** Every pattern by token count; the general ones (with a full wildcard) separately, for matching. */
    private final Map<Integer, List<Pattern>> allByLength = new HashMap<>();
    /** General patterns (with a {@code <*>}) by token count and first token ({@code <*>} for a wildcard there). */
    private final Map<Integer, Map<String, List<Pattern>>> generalByLength = new HashMap<>();
    /** Family = patterns equal except at one position; the distinct words seen there (up to k). */
    private final Map<Long, long[]> families = new HashMap<>();

    OnlinePatternMiner(PatternSettings settings, int maxPatterns) {
        this.masker = new LineMasker(settings.maskers());
        this.k = settings.distinctValuesForVariable();
        this.maxPatterns = maxPatterns;
    }

    private static final class Pattern {
        final String id;
        final String[] key;
        final String joinedKey;
        final int wildcards;
        private String[] display;
        /** {@link #display} joined, built once per display (every assignment answers it). */
        private String template;
        long count;
        Pattern target;

        Pattern(String id, String[] key, String[] display) {
            this.id = id;
            this.key = key;
            this.joinedKey = String.join(" ", key);
            // share the strings display and key have in common (most tokens): half the memory
            for (int i = 0; i < display.length && i < key.length; i++) if (display[i].equals(key[i])) display[i] = key[i];
            setDisplay(display);
            int w = 0;
            for (String t : key) if (t.equals(W)) w++;
            this.wildcards = w;
        }

        String[] display() {
            return display;
        }

        void setDisplay(String[] display) {
            this.display = display;
            this.template = String.join(" ", display);
        }

        String template() {
            return template;
        }
    }

    @Override
    public synchronized Assignment assign(String text) {
        LineMasker.Masked m = masker.mask(text);
        String joined = m.joinedKey();
        Pattern p = byKey.get(joined);
        if (p == null) p = matchGeneral(m.key());
        if (p != null) {
            Pattern live = live(p);
            live.count++;
            return new Assignment(live.id, live.template(), false);
        }
        if (byId.size() >= maxPatterns) {
            Pattern other = otherPattern();
            other.count++;
            return new Assignment(other.id, other.template(), false);
        }
        Pattern created = new Pattern(idOf(joined), m.key(), m.display());
        add(created);
        Pattern live = live(created);
        live.count++;
        return new Assignment(live.id, live.template(), true);
    }

    @Override
    public synchronized List<PatternState> snapshot() {
        List<PatternState> out = new ArrayList<>(byId.size());
        for (Pattern p : byId.values()) {
            out.add(new PatternState(p.id, p.template(), p.target == null ? null : p.target.id, p.count));
        }
        out.sort(Comparator.comparing(PatternState::id));
        return out;
    }

    @Override
    public synchronized void absorb(List<PatternState> states) {
        for (PatternState s : states) {
            if (s == null || s.id() == null || s.template() == null) continue;
            Pattern known = byId.get(s.id());
            String[] display = s.template().isEmpty() ? new String[0] : s.template().split(" ", -1);
            if (known != null) {
                known.count = Math.max(known.count, s.count());
                offerDisplay(known, display);
                continue;
            }
            String[] key = new String[display.length];
            for (int i = 0; i < display.length; i++) key[i] = LineMasker.keyOf(display[i]);
            Pattern p = new Pattern(s.id(), key, display);
            p.count = Math.max(0, s.count());
            add(p);
        }
    }

    @Override
    public synchronized String resolve(String patternId) {
        Pattern p = byId.get(patternId);
        return p == null ? patternId : live(p).id;
    }

    /** Follows merges; targets are always the most general cover, so one hop suffices, the bound is a safety net. */
    private Pattern live(Pattern p) {
        Pattern cur = p;
        for (int hops = 0; cur.target != null && hops < 64; hops++) cur = cur.target;
        return cur;
    }

    private Pattern matchGeneral(String[] key) {
        Map<String, List<Pattern>> byFirst = generalByLength.get(key.length);
        if (byFirst == null || key.length == 0) return null;
        Pattern best = best(byFirst.get(key[0]), key, null);
        return best(byFirst.get(W), key, best);
    }

    private static Pattern best(List<Pattern> candidates, String[] key, Pattern best) {
        if (candidates == null) return best;
        for (Pattern c : candidates) {
            if (c.target != null || !covers(c.key, key)) continue;
            if (best == null || c.wildcards < best.wildcards
                    || (c.wildcards == best.wildcards && c.id.compareTo(best.id) < 0)) {
                best = c;
            }
        }
        return best;
    }

    private static boolean covers(String[] general, String[] specific) {
        for (int i = 0; i < general.length; i++) {
            if (general[i] != W && !general[i].equals(W) && !general[i].equals(specific[i])) return false;
        }
        return true;
    }

    /** Whether {@code a} should absorb {@code b}: it covers it and is more general, or is equal with a smaller id. */
    private static boolean absorbs(Pattern a, Pattern b) {
        if (a == b || a.key.length != b.key.length) return false;
        if (a.wildcards < b.wildcards || (a.wildcards == b.wildcards && a.id.compareTo(b.id) >= 0)) return false;
        return covers(a.key, b.key);
    }

    private static boolean better(Pattern a, Pattern current) {
        return current == null || a.wildcards > current.wildcards
                || (a.wildcards == current.wildcards && a.id.compareTo(current.id) < 0);
    }

    private Pattern otherPattern() {
        Pattern other = byKey.get(OTHER);
        if (other == null) {
            other = new Pattern(idOf(OTHER), new String[] {OTHER}, new String[] {OTHER});
            index(other);
        }
        return other;
    }

    private void add(Pattern first) {
        Deque<Pattern> work = new ArrayDeque<>();
        work.add(first);
        while (!work.isEmpty()) {
            Pattern p = work.poll();
            if (byId.containsKey(p.id)) continue;
            index(p);
            // who absorbs p, and whom p absorbs
            for (Pattern q : allByLength.get(p.key.length)) {
                if (absorbs(q, p) && better(q, p.target)) p.target = q;
                if (absorbs(p, q) && better(p, q.target)) {
                    q.target = p;
                    offerDisplay(p, projection(q, p));
                }
            }
            // frequency-based generalisation: enough distinct words at one position of otherwise equal patterns
            for (int i = 0; i < p.key.length; i++) {
                if (p.key[i].equals(W)) continue;
                long[] words = families.computeIfAbsent(familyHash(p.key, i), h -> new long[k]);
                addWord(words, p.key[i]);
                if (enoughEvidence(words) && keepsEnoughConstants(p, i) && byId.size() + work.size() < maxPatterns) {
                    String[] gk = p.key.clone();
                    gk[i] = W;
                    String gj = String.join(" ", gk);
                    if (!byKey.containsKey(gj)) {
                        String[] gd = p.display().clone();
                        gd[i] = W;
                        work.add(new Pattern(idOf(gj), gk, gd));
                    }
                }
            }
        }
    }

    /**
     * A position is variable once k distinct words were seen there, or as soon as two differ and one of them holds a
     * masked value ({@code rhost=<IP>} against {@code rhost=example.org}, {@code (<ID>)} against {@code ()}).
     * A family keeps up to k word hashes (64-bit, never 0; the sign bit set for a word holding a masked value).
     */
    private static boolean enoughEvidence(long[] words) {
        int n = 0;
        boolean masked = false;
        for (long w : words) {
            if (w == 0) break;
            n++;
            masked |= w < 0;
        }
        return n == words.length || (n >= 2 && masked);
    }

    private static void addWord(long[] words, String word) {
        long h = hash64(word) & Long.MAX_VALUE;
        if (h == 0) h = 1;
        if (word.contains(LineMasker.MASKED)) h |= Long.MIN_VALUE;
        for (int i = 0; i < words.length; i++) {
            if (words[i] == h) return;
            if (words[i] == 0) {
                words[i] = h;
                return;
            }
        }
    }

    private static long hash64(String s) {
        long h = 0xcbf29ce484222325L;
        for (int j = 0; j < s.length(); j++) h = (h ^ s.charAt(j)) * 0x100000001b3L;
        return h ^ (h >>> 29);
    }

    /** Words a generalised pattern keeps at least: in shorter lines the few words are the event. */
    static final int MIN_CONSTANTS = 3;

    /** Whether the pattern generalised at {@code hole} keeps {@link #MIN_CONSTANTS} tokens that are not variables. */
    private static boolean keepsEnoughConstants(Pattern p, int hole) {
        int constants = 0;
        for (int i = 0; i < p.key.length; i++) {
            String t = p.key[i];
            if (i != hole && !t.equals(W) && !t.equals(LineMasker.MASKED)) constants++;
        }
        return constants >= MIN_CONSTANTS;
    }

    private void index(Pattern p) {
        byId.put(p.id, p);
        Pattern sameKey = byKey.get(p.joinedKey);
        if (sameKey == null || p.id.compareTo(sameKey.id) < 0) byKey.put(p.joinedKey, p);
        allByLength.computeIfAbsent(p.key.length, n -> new ArrayList<>()).add(p);
        if (p.wildcards > 0) {
            generalByLength.computeIfAbsent(p.key.length, n -> new HashMap<>())
                    .computeIfAbsent(p.key[0], t -> new ArrayList<>()).add(p);
        }
    }

    /** q's display with the positions p generalised shown as {@code <*>}. */
    private static String[] projection(Pattern q, Pattern p) {
        String[] d = q.display().clone();
        for (int i = 0; i < d.length; i++) if (p.key[i].equals(W) && !q.key[i].equals(W)) d[i] = W;
        return d;
    }

    /** Two displays for one pattern (founded by different lines or instances): the smaller wins, in any order. */
    private static void offerDisplay(Pattern p, String[] display) {
        if (display.length != p.display().length) return;
        if (Arrays.compare(display, p.display()) < 0) {
            for (int i = 0; i < display.length; i++) {
                if (!LineMasker.keyOf(display[i]).equals(p.key[i])) return;
            }
            p.setDisplay(display);
        }
    }

    private static long familyHash(String[] key, int hole) {
        long h = 0xcbf29ce484222325L ^ key.length ^ ((long) hole << 32);
        for (int i = 0; i < key.length; i++) {
            if (i == hole) {
                h = (h ^ 0x1F) * 0x100000001b3L;
                continue;
            }
            String t = key[i];
            for (int j = 0; j < t.length(); j++) h = (h ^ t.charAt(j)) * 0x100000001b3L;
            h = (h ^ 0x1E) * 0x100000001b3L;
        }
        return h;
    }

    static String idOf(String joinedKey) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(joinedKey.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
