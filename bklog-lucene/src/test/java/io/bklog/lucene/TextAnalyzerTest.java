package io.bklog.lucene;

import io.bklog.spi.query.TextAnalysis;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TextAnalyzerTest {

    private static List<String> analyze(String text) throws IOException {
        List<String> out = new ArrayList<>();
        try (TextAnalyzer a = new TextAnalyzer(); TokenStream ts = a.tokenStream("log", text)) {
            CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
            ts.reset();
            while (ts.incrementToken()) out.add(term.toString());
            ts.end();
        }
        return out;
    }

    @Test
    void tokenizesExactlyLikeTextAnalysisTokens() throws IOException {
        for (String s : List.of("", "---", "Connection REFUSED by 10.0.0.1:8080",
                "GET /api/v1/users?id=42 HTTP/1.1", "ΟΔΟΣ Σ final sigma ΣΑΣ", "İstanbul DİYARBAKIR",
                "中文日志 错误码E1001", "tab\tand\nnewline", "emoji 😀 between", "ǅungla ﬁle ß STRASSE",
                "  leading and trailing  ", "x".repeat(3000))) {
            assertThat(analyze(s)).as("tokens of '%s'", s).isEqualTo(TextAnalysis.tokens(s));
        }
    }

    @Test
    void handWrittenTokenizerSplitsWhereTheSeparatorRegexDoes() throws IOException {
        // letters and digits of every plane (mathematical bold 𝐀, Arabic-Indic and Devanagari digits), combining
        // marks, other numbers (², Ⅻ), lone surrogates, and a value longer than the tokenizer's first buffer
        String[] pieces = {"a", "Z", "9", "é", "É", "σ", "Σ", "İ", "ß", "ǅ", "中", "𝐀", "😀", "\u0301", "\u0663",
                "\u0967", "²", "Ⅻ", "_", "-", ".", " ", "\t", "\n", "/", "\ud800", "\udc00", "ﬁ", "0x1F"};
        java.util.Random random = new java.util.Random(26);
        for (int round = 0; round < 2000; round++) {
            StringBuilder sb = new StringBuilder();
            int n = random.nextInt(round % 100 == 0 ? 3000 : 40);
            for (int i = 0; i < n; i++) sb.append(pieces[random.nextInt(pieces.length)]);
            String s = sb.toString();
            assertThat(analyze(s)).as("tokens of '%s'", s).isEqualTo(TextAnalysis.tokens(s));
        }
    }

    @Test
    void offsetsAreThoseOfTheTokensInTheValue() throws IOException {
        String text = "Got ÉRROR: 10.250.1.7 😀x";
        List<String> spans = new ArrayList<>();
        try (TextAnalyzer a = new TextAnalyzer(); TokenStream ts = a.tokenStream("log", text)) {
            org.apache.lucene.analysis.tokenattributes.OffsetAttribute off =
                    ts.addAttribute(org.apache.lucene.analysis.tokenattributes.OffsetAttribute.class);
            ts.reset();
            while (ts.incrementToken()) spans.add(text.substring(off.startOffset(), off.endOffset()));
            ts.end();
            assertThat(off.endOffset()).isEqualTo(text.length());
        }
        assertThat(spans).containsExactly("Got", "ÉRROR", "10", "250", "1", "7", "x");
    }
}
