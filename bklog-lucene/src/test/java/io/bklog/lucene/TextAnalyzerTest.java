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
}
