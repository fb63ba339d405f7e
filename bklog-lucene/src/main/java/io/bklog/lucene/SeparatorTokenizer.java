package io.bklog.lucene;

import io.bklog.spi.query.TextAnalysis;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.OffsetAttribute;

import java.io.IOException;

/**
 * The tokenizer of {@code text} fields without a regex: a token is a run of code points that are letters
 * ({@code \p{L}}) or decimal digits ({@code \p{Nd}}), anything else separates, exactly as splitting on
 * {@link TextAnalysis#SEPARATOR} does (the query side's {@link TextAnalysis#tokens}). Reads the whole value into a
 * reused buffer (as Lucene's {@code PatternTokenizer} does) and scans it once; offsets are those of the tokens in
 * the value.
 */
final class SeparatorTokenizer extends Tokenizer {
    /** a buffer grown past this by one huge value is dropped at the next reset */
    private static final int KEEP_CHARS = 1 << 16;

    private final CharTermAttribute term = addAttribute(CharTermAttribute.class);
    private final OffsetAttribute offset = addAttribute(OffsetAttribute.class);
    private char[] buf = new char[1024];
    private int len;
    private int pos;

    static boolean isTokenChar(int cp) {
        if (cp < 128) return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
        return Character.isLetter(cp) || Character.getType(cp) == Character.DECIMAL_DIGIT_NUMBER;
    }

    @Override
    public boolean incrementToken() {
        clearAttributes();
        char[] b = buf;
        int n = len;
        int i = pos;
        while (i < n) { // skip separators
            int cp = Character.codePointAt(b, i, n);
            if (isTokenChar(cp)) break;
            i += Character.charCount(cp);
        }
        if (i >= n) {
            pos = n;
            return false;
        }
        int start = i;
        while (i < n) {
            int cp = Character.codePointAt(b, i, n);
            if (!isTokenChar(cp)) break;
            i += Character.charCount(cp);
        }
        pos = i;
        term.copyBuffer(b, start, i - start);
        offset.setOffset(correctOffset(start), correctOffset(i));
        return true;
    }

    @Override
    public void end() throws IOException {
        super.end();
        int end = correctOffset(len);
        offset.setOffset(end, end);
    }

    @Override
    public void reset() throws IOException {
        super.reset();
        if (buf.length > KEEP_CHARS) buf = new char[1024];
        len = 0;
        pos = 0;
        while (true) {
            if (len == buf.length) buf = java.util.Arrays.copyOf(buf, buf.length * 2);
            int r = input.read(buf, len, buf.length - len);
            if (r < 0) break;
            len += r;
        }
    }
}
