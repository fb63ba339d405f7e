package io.bklog.core.patterns;

import io.bklog.core.patterns.PatternSettings.Masker;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Splits a line into whitespace-separated tokens and replaces variables by typed placeholders, by character scans
 * (no regular expressions: linear time on any input). Each token has a display form ({@code port=<NUM>}), shown to
 * readers, and a key form used for matching, where every placeholder is {@code <*>} ({@code port=<*>}), so that
 * {@code 00:01} ({@code <TS>}) and {@code <1 sec} ({@code <DURATION>}) are the same variable to the miner.
 */
final class LineMasker {

    /** Tokens kept per line; the rest of a longer line is one trailing variable. */
    static final int MAX_TOKENS = 64;
    /** A token longer than this is a variable (a blob: base64, a stack of ids...). */
    static final int MAX_TOKEN_CHARS = 160;

    static final String WILDCARD = "<*>";

    /** A masked token in a key. */
    static final String MASKED = "<#>";
    /** The typed placeholders a template may contain; each is {@link #MASKED} in a key. */
    static final List<String> TYPED = List.of("<NUM>", "<IP>", "<ID>", "<HEX>", "<PATH>", "<UUID>", "<TS>", "<SIZE>",
            "<DURATION>", "<BLOB>");

    /** Month and weekday names, the words of a written date ("Sat Jul  9 22:53:19 2005"). */
    private static final Set<String> DATE_WORDS = Set.of("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
            "Oct", "Nov", "Dec", "January", "February", "March", "April", "June", "July", "August", "September",
            "October", "November", "December", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Monday", "Tuesday",
            "Wednesday", "Thursday", "Friday", "Saturday", "Sunday");
    private static final Set<String> SIZE_UNITS = Set.of("b", "byte", "bytes", "kb", "kib", "mb", "mib", "gb", "gib",
            "tb", "tib", "k", "m", "g");
    private static final Set<String> TIME_UNITS = Set.of("ns", "us", "µs", "ms", "s", "sec", "secs", "second", "seconds",
            "min", "mins", "minute", "minutes", "h", "hr", "hrs", "hour", "hours", "day", "days");

    private final boolean number;
    private final boolean ip;
    private final boolean id;
    private final boolean hex;
    private final boolean path;
    private final boolean uuid;
    private final boolean timestamp;

    LineMasker(Set<Masker> maskers) {
        number = maskers.contains(Masker.NUMBER);
        ip = maskers.contains(Masker.IP);
        id = maskers.contains(Masker.ID);
        hex = maskers.contains(Masker.HEX);
        path = maskers.contains(Masker.PATH);
        uuid = maskers.contains(Masker.UUID);
        timestamp = maskers.contains(Masker.TIMESTAMP);
    }

    /** A masked line: display tokens and key tokens, same length, and the key tokens joined by one space. */
    record Masked(String[] display, String[] key, String joinedKey) {}

    Masked mask(String text) {
        List<String> raw = split(text == null ? "" : text);
        List<String> display = new ArrayList<>(raw.size());
        boolean lastWasQuantity = false;
        for (int i = 0; i < raw.size(); i++) {
            String tok = raw.get(i);
            if ((i == MAX_TOKENS - 1 && raw.size() > MAX_TOKENS) || tok == TAIL_TOKEN) {
                display.add(WILDCARD);
                break;
            }
            if (tok == BLOB_TOKEN) {
                display.add("<BLOB>");
                lastWasQuantity = false;
                continue;
            }
            // a number followed by a unit word is one quantity: "5 ms", "<1 sec", "1034 bytes", "(1.00 KB)"
            int plain = plainKind(tok);
            if (number && i + 1 < raw.size() && plain != PLAIN_WORD && isPlainNumber(strip(tok))) {
                String unitTok = raw.get(i + 1);
                String unitCore = strip(unitTok).toLowerCase(Locale.ROOT);
                String kind = SIZE_UNITS.contains(unitCore) ? "<SIZE>" : TIME_UNITS.contains(unitCore) ? "<DURATION>" : null;
                if (kind != null) {
                    String prefix = tok.substring(0, leading(tok));
                    String suffix = unitTok.substring(unitTok.length() - trailing(unitTok));
                    // a quantity in parentheses right after another restates it ("1034 bytes (1.01 KB)"): dropped
                    if (!(lastWasQuantity && prefix.startsWith("("))) display.add(prefix + kind + suffix);
                    lastWasQuantity = true;
                    i++;
                    continue;
                }
            }
            String m = maskToken(tok, plain);
            // a run of values of one type is one variable, a list of any length ("nodes n-1 n-2 n-3" = "nodes <ID>")
            if (m.startsWith("<") && !display.isEmpty() && display.get(display.size() - 1).equals(m) && TYPED.contains(m)) {
                continue;
            }
            display.add(m);
            lastWasQuantity = m.indexOf('<') >= 0
                    && (m.contains("<NUM>") || m.contains("<SIZE>") || m.contains("<DURATION>"));
        }
        String[] d = display.toArray(String[]::new);
        String[] k = new String[d.length];
        StringBuilder joined = new StringBuilder(text == null ? 0 : Math.min(text.length(), 256));
        for (int i = 0; i < d.length; i++) {
            k[i] = keyOf(d[i]);
            if (i > 0) joined.append(' ');
            joined.append(k[i]);
        }
        return new Masked(d, k, joined.toString());
    }

    /**
     * The key form of a display token: a typed placeholder becomes {@code <#>} (matches only another masked token,
     * of any type), {@code <*>} stays (a generalised position: matches any token).
     */
    static String keyOf(String displayToken) {
        int lt = displayToken.indexOf('<');
        if (lt < 0) return displayToken;
        StringBuilder out = new StringBuilder(displayToken.length());
        out.append(displayToken, 0, lt);
        int i = lt;
        int n = displayToken.length();
        outer:
        while (i < n) {
            char c = displayToken.charAt(i);
            if (c == '<') {
                for (String ph : TYPED) {
                    if (displayToken.startsWith(ph, i)) {
                        out.append(MASKED);
                        i += ph.length();
                        continue outer;
                    }
                }
            }
            out.append(c);
            i++;
        }
        return out.toString();
    }

    /** Characters of a line read at most; a longer line ends with one trailing variable. */
    static final int MAX_LINE_CHARS = 65_536;
    /** Stand-ins produced by {@link #split}, compared by identity (a token never equals them by accident). */
    @SuppressWarnings("StringOperationCanBeSimplified")
    private static final String BLOB_TOKEN = new String("<BLOB>");
    @SuppressWarnings("StringOperationCanBeSimplified")
    private static final String TAIL_TOKEN = new String(WILDCARD);

    static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        int n = Math.min(text.length(), MAX_LINE_CHARS);
        int i = 0;
        while (i < n) {
            while (i < n && isSpace(text.charAt(i))) i++;
            if (i >= n) break;
            int start = i;
            while (i < n && !isSpace(text.charAt(i))) i++;
            out.add(i - start > MAX_TOKEN_CHARS ? BLOB_TOKEN : text.substring(start, i));
            if (out.size() > MAX_TOKENS) return out; // enough to know the line is long; the rest is never read
        }
        if (text.length() > MAX_LINE_CHARS) out.add(TAIL_TOKEN);
        return out;
    }

    private static boolean isSpace(char c) {
        // ASCII above the space is never white space: the Unicode tables only for the rest
        return c <= ' ' || (c >= 0x80 && (Character.isWhitespace(c) || Character.isSpaceChar(c)));
    }

    private String maskToken(String tok, int kind) {
        // the common tokens, answered without a substring: a word of ASCII letters is a word (or a written date);
        // ASCII digits alone are a number
        if (kind == PLAIN_WORD) return timestamp && isDateWord(tok) ? "<TS>" : tok;
        if (kind == PLAIN_DIGITS) return number ? "<NUM>" : tok;
        // a literal "<*>" in a line is text, not the miner's wildcard
        if (tok.indexOf('<') >= 0 && tok.contains(WILDCARD)) tok = tok.replace(WILDCARD, "‹*›");
        int eq = tok.indexOf('=');
        if (eq > 0 && eq < tok.length() - 1) {
            return tok.substring(0, eq + 1) + maskValue(tok.substring(eq + 1));
        }
        // name:value, the name made of letters only ("begin:25233975", not "10.0.0.1:80" or "host.example:443")
        int colon = tok.indexOf(':');
        if (colon > 0 && colon < tok.length() - 1 && tok.charAt(colon + 1) != '/' && isName(tok, colon)) {
            return tok.substring(0, colon + 1) + maskValue(tok.substring(colon + 1));
        }
        return maskValue(tok);
    }

    /** A month or weekday name: three to nine letters, the first a capital. */
    private static boolean isDateWord(String word) {
        int n = word.length();
        return n >= 3 && n <= 9 && word.charAt(0) >= 'A' && word.charAt(0) <= 'Z' && DATE_WORDS.contains(word);
    }

    private static final int PLAIN_WORD = 1;
    private static final int PLAIN_DIGITS = 2;

    /** {@link #PLAIN_WORD} for ASCII letters only, {@link #PLAIN_DIGITS} for ASCII digits only, else 0. */
    private static int plainKind(String tok) {
        int n = tok.length();
        if (n == 0) return 0;
        char c0 = tok.charAt(0);
        boolean letters = (c0 | 0x20) >= 'a' && (c0 | 0x20) <= 'z';
        if (!letters && (c0 < '0' || c0 > '9')) return 0;
        for (int i = 1; i < n; i++) {
            char c = tok.charAt(i);
            if (letters ? (c | 0x20) < 'a' || (c | 0x20) > 'z' : c < '0' || c > '9') return 0;
        }
        return letters ? PLAIN_WORD : PLAIN_DIGITS;
    }

    private static boolean isName(String tok, int end) {
        for (int i = 0; i < end; i++) {
            char c = tok.charAt(i);
            if (!Character.isLetter(c) && c != '_') return false;
        }
        return true;
    }

    private String maskValue(String tok) {
        int lead = leading(tok);
        int trail0 = trailing(tok);
        if (path && lead + trail0 < tok.length() && isPath(tok.substring(lead, tok.length() - trail0))) {
            return tok.substring(0, lead) + "<PATH>" + tok.substring(tok.length() - trail0);
        }
        if (lead < tok.length() && tok.charAt(lead) == '/') lead++; // "/10.0.0.1:80" is an address after a slash
        int trail = trailing(tok);
        if (lead + trail >= tok.length()) return tok;
        String core = tok.substring(lead, tok.length() - trail);
        String type = classify(core);
        if (type == null) return tok;
        return tok.substring(0, lead) + type + tok.substring(tok.length() - trail);
    }

    /** The placeholder for a token stripped of surrounding punctuation, or null when it is a word. */
    private String classify(String core) {
        int digits = 0;
        int letters = 0;
        for (int i = 0; i < core.length(); i++) {
            char c = core.charAt(i);
            if (c >= '0' && c <= '9') digits++;
            else if (Character.isLetter(c)) letters++;
        }
        if (uuid && isUuid(core)) return "<UUID>";
        if (ip && isIp(core)) return "<IP>";
        if (digits == 0) return timestamp && DATE_WORDS.contains(core) ? "<TS>" : null;
        if (timestamp && letters <= 2 && isTimestamp(core)) return "<TS>";
        if (hex && isHex(core)) return "<HEX>";
        if (number && letters == 0) return "<NUM>";
        if (number && isNumberWithUnit(core)) return "<NUM>";
        if (id && letters > 0 && !isWordWithVersion(core)) return "<ID>";
        return null;
    }

    private static boolean isPlainNumber(String core) {
        int n = core.length();
        int i = 0;
        while (i < n && "<>~+-".indexOf(core.charAt(i)) >= 0) i++;
        if (i >= n) return false;
        boolean digit = false;
        for (; i < n; i++) {
            char c = core.charAt(i);
            if (c >= '0' && c <= '9') digit = true;
            else if (c != '.' && c != ',') return false;
        }
        return digit;
    }

    private static boolean isNumberWithUnit(String core) {
        int i = core.length();
        while (i > 0 && Character.isLetter(core.charAt(i - 1))) i--;
        if (i == core.length() || i == 0) return false;
        String unit = core.substring(i).toLowerCase(Locale.ROOT);
        return (SIZE_UNITS.contains(unit) || TIME_UNITS.contains(unit)) && isPlainNumber(core.substring(0, i));
    }

    /** ssh2, SOCKS5, utf8, ipv4: letters then one digit, short — a name, not an identifier. */
    private static boolean isWordWithVersion(String core) {
        int n = core.length();
        if (n < 2 || n > 8) return false;
        char last = core.charAt(n - 1);
        if (last < '0' || last > '9') return false;
        for (int i = 0; i < n - 1; i++) if (!Character.isLetter(core.charAt(i))) return false;
        return true;
    }

    private static boolean isUuid(String s) {
        if (s.length() != 36) return false;
        for (int i = 0; i < 36; i++) {
            char c = s.charAt(i);
            boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
            if (dash ? c != '-' : !isHexDigit(c)) return false;
        }
        return true;
    }

    private static boolean isHexDigit(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static boolean isIp(String s) {
        // IPv4, optionally :port or /prefix; "host/1.2.3.4:80" style is handled by the part after the last '/'
        int slash = s.lastIndexOf('/');
        if (slash > 0 && slash < s.length() - 1 && isIp(s.substring(slash + 1))) return true;
        int groups = 0;
        int digitsInGroup = 0;
        int i = 0;
        int n = s.length();
        for (; i < n; i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                if (++digitsInGroup > 3) return isIpv6(s);
            } else if (c == '.') {
                if (digitsInGroup == 0) return false;
                groups++;
                digitsInGroup = 0;
            } else {
                break;
            }
        }
        if (digitsInGroup > 0) groups++;
        if (groups != 4 || s.charAt(i - 1) == '.') return i == 0 && isIpv6(s);
        if (i == n) return true;
        char sep = s.charAt(i);
        if (sep != ':' && sep != '/') return false;
        if (i + 1 == n) return false;
        for (int j = i + 1; j < n; j++) if (s.charAt(j) < '0' || s.charAt(j) > '9') return false;
        return true;
    }

    private static boolean isIpv6(String s) {
        int colons = 0;
        boolean letter = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ':') colons++;
            else if (!isHexDigit(c)) return false;
            else if (c > '9') letter = true;
        }
        return colons >= 2 && (letter || s.contains("::"));
    }

    private static boolean isPath(String s) {
        if (s.length() < 2) return false;
        if (s.contains("://")) return true;
        if (s.length() > 2 && Character.isLetter(s.charAt(0)) && s.charAt(1) == ':' && s.charAt(2) == '\\') return true;
        return (s.charAt(0) == '/' || s.startsWith("./") || s.startsWith("~/")) && s.indexOf('/', 1) > 0;
    }

    /** Digits with date/time separators, at least one ':' or a date's '-'/'/': 00:01, 2017-12-23, 12:00:01.123Z. */
    private static boolean isTimestamp(String s) {
        if (s.isEmpty() || s.charAt(0) < '0' || s.charAt(0) > '9') return false;
        int colons = 0;
        int dashes = 0;
        int groups = 0;
        boolean inDigits = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                if (!inDigits) groups++;
                inDigits = true;
                continue;
            }
            inDigits = false;
            switch (c) {
                case ':' -> colons++;
                case '-', '/' -> dashes++;
                case '.', ',', 'T', 'Z', '+' -> { }
                default -> { return false; }
            }
        }
        return groups >= 2 && (colons >= 1 || dashes >= 2);
    }

    private static boolean isHex(String s) {
        if ((s.startsWith("0x") || s.startsWith("0X")) && s.length() > 2) {
            for (int i = 2; i < s.length(); i++) if (!isHexDigit(s.charAt(i))) return false;
            return true;
        }
        if (s.length() < 8) return false;
        boolean letter = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!isHexDigit(c)) return false;
            if (c > '9') letter = true;
        }
        return letter;
    }

    private static final String LEADING = "([{'\"";
    private static final String TRAILING = ")]},.;:'\"!?";

    private static int leading(String tok) {
        int i = 0;
        while (i < tok.length() && LEADING.indexOf(tok.charAt(i)) >= 0) i++;
        return i;
    }

    private static int trailing(String tok) {
        int i = 0;
        while (i < tok.length() && TRAILING.indexOf(tok.charAt(tok.length() - 1 - i)) >= 0) i++;
        return i;
    }

    private static String strip(String tok) {
        int l = leading(tok);
        int t = trailing(tok);
        return l + t >= tok.length() ? "" : tok.substring(l, tok.length() - t);
    }
}
