package io.bklog.core.patterns;

import com.google.common.hash.Hashing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * A simple stand-in miner until the real algorithm lands: each whitespace token that looks like a variable of an
 * enabled masker becomes its placeholder ({@code <NUM>}, {@code <IP>}, ...); the template is the masked token
 * sequence and the id the first 12 hex digits of the template's murmur3 hash, so every instance gives the same id to
 * the same template. Never merges.
 */
final class PlaceholderPatternMiner implements PatternMiner {
    private static final Pattern IP = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}(:\\d+)?");
    private static final Pattern UUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern TS = Pattern.compile("\\d{4}-\\d{2}-\\d{2}([T ]\\d{2}:\\d{2}(:\\d{2}([.,]\\d+)?)?Z?)?"
            + "|\\d{2}:\\d{2}:\\d{2}([.,]\\d+)?");
    private static final Pattern HEX = Pattern.compile("(0x)?[0-9a-fA-F]*[0-9][0-9a-fA-F]*[a-fA-F][0-9a-fA-F]*"
            + "|(0x)?[0-9a-fA-F]*[a-fA-F][0-9a-fA-F]*[0-9][0-9a-fA-F]*");
    private static final Pattern NUM = Pattern.compile("[-+]?\\d+([.,]\\d+)*[a-zA-Z%]{0,3}");
    private static final Pattern ID = Pattern.compile("[A-Za-z_]*[_-]?\\d+[A-Za-z0-9_-]*");
    private static final Pattern PATH = Pattern.compile("(/[^/\\s]+)+/?");

    private final Set<PatternSettings.Masker> maskers;
    private final Map<String, State> byId = new ConcurrentHashMap<>();
    /** template → id, so a known template is not hashed again. */
    private final Map<String, String> ids = new ConcurrentHashMap<>();

    private record State(String template, AtomicLong count) {}

    PlaceholderPatternMiner(PatternSettings settings) {
        this.maskers = Set.copyOf(settings.maskers());
    }

    @Override
    public Assignment assign(String text) {
        String template = template(text == null ? "" : text);
        String id = ids.get(template);
        if (id == null) {
            id = idOf(template);
            if (ids.size() < 100_000) ids.put(template, id);
        }
        boolean[] created = {false};
        State s = byId.computeIfAbsent(id, k -> {
            created[0] = true;
            return new State(template, new AtomicLong());
        });
        s.count().incrementAndGet();
        return new Assignment(id, template, created[0]);
    }

    static String idOf(String template) {
        return Hashing.murmur3_128().hashString(template, StandardCharsets.UTF_8).toString().substring(0, 12);
    }

    String template(String text) {
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        int n = text.length();
        while (i < n) {
            while (i < n && Character.isWhitespace(text.charAt(i))) i++;
            int start = i;
            while (i < n && !Character.isWhitespace(text.charAt(i))) i++;
            if (start == i) break;
            if (!out.isEmpty()) out.append(' ');
            out.append(mask(text.substring(start, i)));
        }
        return out.toString();
    }

    private String mask(String token) {
        boolean digit = false;
        for (int i = 0; i < token.length() && !digit; i++) digit = Character.isDigit(token.charAt(i));
        if (maskers.contains(PatternSettings.Masker.PATH) && token.length() > 1 && token.charAt(0) == '/'
                && PATH.matcher(token).matches()) {
            return "<PATH>";
        }
        if (!digit) return token;
        boolean allDigits = true;
        int dots = 0;
        boolean dashOrColon = false;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c < '0' || c > '9') allDigits = false;
            if (c == '.') dots++;
            if (c == '-' || c == ':') dashOrColon = true;
        }
        if (allDigits) return maskers.contains(PatternSettings.Masker.NUMBER) ? "<NUM>" : token;
        if (dots >= 3 && maskers.contains(PatternSettings.Masker.IP) && IP.matcher(token).matches()) return "<IP>";
        if (token.length() == 36 && maskers.contains(PatternSettings.Masker.UUID) && UUID.matcher(token).matches()) {
            return "<UUID>";
        }
        if (dashOrColon && maskers.contains(PatternSettings.Masker.TIMESTAMP) && TS.matcher(token).matches()) {
            return "<TS>";
        }
        if (maskers.contains(PatternSettings.Masker.NUMBER) && NUM.matcher(token).matches()) return "<NUM>";
        if (maskers.contains(PatternSettings.Masker.HEX) && token.length() >= 6 && HEX.matcher(token).matches()) {
            return "<HEX>";
        }
        if (maskers.contains(PatternSettings.Masker.ID) && ID.matcher(token).matches()) return "<*>";
        return token;
    }

    @Override
    public List<PatternState> snapshot() {
        List<PatternState> out = new ArrayList<>(byId.size());
        byId.forEach((id, s) -> out.add(new PatternState(id, s.template(), null, s.count().get())));
        return out;
    }

    @Override
    public void absorb(List<PatternState> states) {
        for (PatternState p : states) byId.putIfAbsent(p.id(), new State(p.template(), new AtomicLong()));
    }

    @Override
    public String resolve(String patternId) {
        return patternId;
    }
}
