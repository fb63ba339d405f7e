package io.bklog.spi.query;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TextAnalysisTest {

    @Test
    void aWildcardWithSeparatorsIsOnePartPerToken() {
        assertThat(TextAnalysis.wildcardParts("dfs.DataNode*")).containsExactly("dfs", "datanode*");
        assertThat(TextAnalysis.wildcardParts("10.250.*")).containsExactly("10", "250");
        assertThat(TextAnalysis.wildcardParts("a.*.b?")).containsExactly("a", "*", "b?");
    }

    @Test
    void partsOfOnlyStarAtEitherEndAreDropped() {
        assertThat(TextAnalysis.wildcardParts("blk_*")).containsExactly("blk");
        assertThat(TextAnalysis.wildcardParts("*.txt")).containsExactly("txt");
        assertThat(TextAnalysis.wildcardParts("*.*")).containsExactly("*");
        assertThat(TextAnalysis.wildcardParts("*")).containsExactly("*");
    }

    @Test
    void aPatternWithoutSeparatorsIsOneLowerCasedPart() {
        assertThat(TextAnalysis.wildcardParts("Conn*Refus?d")).containsExactly("conn*refus?d");
        assertThat(TextAnalysis.wildcardParts("Ürün*")).containsExactly("ürün*");
    }

    @Test
    void anEscapedCharacterCountsAsItself() {
        assertThat(TextAnalysis.wildcardParts("a\\*b")).containsExactly("a", "b");
        assertThat(TextAnalysis.wildcardParts("a\\bc*")).containsExactly("abc*");
    }

    @Test
    void onlySeparatorsIsNoPart() {
        assertThat(TextAnalysis.wildcardParts("...")).isEqualTo(List.of());
        assertThat(TextAnalysis.wildcardParts("")).isEqualTo(List.of());
    }

    @Test
    void aWildcardOfTooManyWordsOrCharactersIsRefused() {
        assertThat(TextAnalysis.wildcardParts("a.".repeat(32) + "*")).hasSize(32);
        assertThatThrownBy(() -> TextAnalysis.wildcardParts("a.".repeat(33) + "*"))
                .isInstanceOf(RegexTooComplexException.class).hasMessageContaining("it matches 33 words in a row, at most 32");
        assertThat(TextAnalysis.wildcardParts("b".repeat(998) + "*")).hasSize(1);
        assertThatThrownBy(() -> TextAnalysis.wildcardParts("b".repeat(1000) + "*"))
                .isInstanceOf(RegexTooComplexException.class).hasMessageContaining("1001 characters long");
    }

    @Test
    void aWildcardPartLongerThanATokenIsCutAsTheTokenWas() {
        String word = "x".repeat(300);
        String token = TextAnalysis.tokens("at " + word).get(1);
        assertThat(TextAnalysis.wildcardParts("at " + word)).containsExactly("at", token);
        assertThat(TextAnalysis.wildcardParts("a?" + word.substring(2))).containsExactly(TextAnalysis.truncate(
                "a?" + word.substring(2)));
    }
}
