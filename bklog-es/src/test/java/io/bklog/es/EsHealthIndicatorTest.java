package io.bklog.es;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class EsHealthIndicatorTest {

    @Test
    void readsWatermarksAsPercentRatioOrFreeBytes() {
        assertThat(EsHealthIndicator.pastWatermark("90%", 91.0, 0)).isTrue();
        assertThat(EsHealthIndicator.pastWatermark("90%", 89.9, 0)).isFalse();
        assertThat(EsHealthIndicator.pastWatermark("0.85", 86.0, 0)).isTrue();
        assertThat(EsHealthIndicator.pastWatermark("50gb", 10.0, 40L << 30)).isTrue();
        assertThat(EsHealthIndicator.pastWatermark("50gb", 10.0, 60L << 30)).isFalse();
    }
}
