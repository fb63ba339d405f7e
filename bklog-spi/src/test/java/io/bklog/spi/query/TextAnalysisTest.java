package io.bklog.spi.query;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

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
}
