package io.bklog.lucene;

import io.bklog.spi.query.TextAnalysis;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;

import java.io.IOException;
import java.util.Locale;

/**
 * The analyzer of {@code text} fields: a {@link SeparatorTokenizer} splitting as {@link TextAnalysis#SEPARATOR} does
 * (hand-written: no regex on the ingest path),
 * then lower-casing with {@link String#toLowerCase(Locale)} in {@link Locale#ROOT} — the very call
 * {@link TextAnalysis#tokens} makes, so context-sensitive cases (final sigma, dotted capital I) index exactly as the
 * query side analyzes them (Lucene's {@code LowerCaseFilter} lower-cases per code point and would differ there),
 * and cut to {@link TextAnalysis#MAX_TOKEN_CHARS} as {@link TextAnalysis#truncate} does.
 * Values of a multi-valued field are 100 positions apart, so a phrase never spans two values.
 */
public final class TextAnalyzer extends Analyzer {
    static final int POSITION_GAP = 100;

    @Override
    protected TokenStreamComponents createComponents(String fieldName) {
        Tokenizer tokenizer = new SeparatorTokenizer();
        return new TokenStreamComponents(tokenizer, new RootLowerCaseFilter(tokenizer));
    }

    @Override
    public int getPositionIncrementGap(String fieldName) {
        return POSITION_GAP;
    }

    /** Lower-cases each token as {@code String.toLowerCase(Locale.ROOT)} does. */
    static final class RootLowerCaseFilter extends TokenFilter {
        private final CharTermAttribute term = addAttribute(CharTermAttribute.class);

        RootLowerCaseFilter(TokenStream in) {
            super(in);
        }

        @Override
        public boolean incrementToken() throws IOException {
            if (!input.incrementToken()) return false;
            char[] b = term.buffer();
            int n = term.length();
            boolean ascii = true;
            for (int i = 0; i < n && ascii; i++) ascii = b[i] < 128;
            if (ascii) { // the common case, without a String: ASCII lower-cases char by char, one char each
                for (int i = 0; i < n; i++) {
                    char c = b[i];
                    if (c >= 'A' && c <= 'Z') b[i] = (char) (c + ('a' - 'A'));
                }
                if (n > TextAnalysis.MAX_TOKEN_CHARS) term.setLength(TextAnalysis.MAX_TOKEN_CHARS);
                return true;
            }
            String original = term.toString();
            String lower = TextAnalysis.truncate(original.toLowerCase(Locale.ROOT));
            if (!lower.equals(original)) {
                term.setEmpty().append(lower);
            }
            return true;
        }
    }
}
