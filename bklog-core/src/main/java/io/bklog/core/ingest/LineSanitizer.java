package io.bklog.core.ingest;

import com.google.common.base.Utf8;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Decodes and bounds lines: invalid UTF-8 is replaced by U+FFFD and marked, lines over {@code maxLineBytes} (UTF-8)
 * are cut at a character boundary and marked. Nothing is dropped. Thread-safe.
 */
public final class LineSanitizer {

    /** Default line limit: 1 MiB. */
    public static final int DEFAULT_MAX_LINE_BYTES = 1 << 20;

    /** A decoded, bounded line. */
    public record Result(String text, boolean truncated, boolean invalidUtf8) {
    }

    private final int maxLineBytes;

    public LineSanitizer(int maxLineBytes) {
        if (maxLineBytes < 16) throw new IllegalArgumentException("maxLineBytes must be >= 16, got " + maxLineBytes);
        this.maxLineBytes = maxLineBytes;
    }

    public int maxLineBytes() {
        return maxLineBytes;
    }

    /** Decodes UTF-8 bytes (lenient), then bounds the result. */
    public Result sanitize(byte[] bytes, int off, int len) {
        boolean truncated = false;
        if (len > maxLineBytes) {
            len = cutUtf8(bytes, off, maxLineBytes);
            truncated = true;
        }
        CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            CharBuffer cb = strict.decode(ByteBuffer.wrap(bytes, off, len));
            return new Result(cb.toString(), truncated, false);
        } catch (CharacterCodingException e) {
            return new Result(new String(bytes, off, len, StandardCharsets.UTF_8), truncated, true);
        }
    }

    public Result sanitize(byte[] bytes) {
        return sanitize(bytes, 0, bytes.length);
    }

    /** Bounds a decoded line; lone surrogates count as invalid and are replaced. */
    /**
     * The line without the line terminator its source may have left on it ({@code \r\n}, {@code \r} or
     * {@code \n}, repeated): a value never ends in {@code \r}. Returns {@code s} itself when there is none.
     */
    public static String stripLineEnd(String s) {
        if (s == null) return null;
        int e = s.length();
        while (e > 0 && (s.charAt(e - 1) == '\r' || s.charAt(e - 1) == '\n')) e--;
        return e == s.length() ? s : s.substring(0, e);
    }

    public Result sanitize(String s) {
        boolean invalid = false;
        int len = s.length();
        if (len * 3L <= maxLineBytes) {
            // cannot exceed the limit; only check surrogates
            for (int i = 0; i < len; i++) {
                if (Character.isSurrogate(s.charAt(i))) {
                    return slow(s);
                }
            }
            return new Result(s, false, false);
        }
        return slow(s);
    }

    private Result slow(String s) {
        boolean invalid = false;
        StringBuilder sb = null;
        int bytes = 0;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            int cp = c;
            int w;
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                cp = Character.toCodePoint(c, s.charAt(i + 1));
                w = 4;
            } else if (Character.isSurrogate(c)) {
                invalid = true;
                cp = 0xFFFD;
                w = 3;
            } else {
                w = c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
            }
            if (bytes + w > maxLineBytes) {
                if (sb == null) sb = new StringBuilder(s.substring(0, i));
                return new Result(sb.toString(), true, invalid);
            }
            bytes += w;
            if (invalid && sb == null) sb = new StringBuilder(s.substring(0, i));
            if (sb != null) sb.appendCodePoint(cp);
            if (w == 4) i++;
        }
        return new Result(sb == null ? s : sb.toString(), false, invalid);
    }

    /** Length of the longest prefix of at most {@code max} bytes that does not split a UTF-8 sequence. */
    private static int cutUtf8(byte[] b, int off, int max) {
        int end = max;
        // step back over continuation bytes (10xxxxxx) so the cut lands on a sequence start
        int back = 0;
        while (end > 0 && back < 3 && (b[off + end] & 0xC0) == 0x80) {
            end--;
            back++;
        }
        return end;
    }

    static int utf8Length(String s) {
        try {
            return Utf8.encodedLength(s);
        } catch (IllegalArgumentException e) {
            return s.length() * 3;
        }
    }
}
