package io.bklog.server.config;

import io.bklog.core.search.ExportJobConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExportSettingsTest {
    @Test
    void defaultsAreTwoGibibytesAndADay() {
        ExportJobConfig c = ConfigLoader.load(null, Map.of(), Map.of()).export().toCore();
        assertThat(c).isEqualTo(ExportJobConfig.defaults());
        assertThat(c.maxBytes()).isEqualTo(2L << 30);
        assertThat(c.expiry()).isEqualTo(Duration.ofHours(24));
    }

    @Test
    void envAndCommandLineSetTheLimitExpiryAndThreads() {
        ExportJobConfig c = ConfigLoader.load(null, Map.of("BKLOG_EXPORT_MAX_BYTES", "1000", "BKLOG_EXPORT_EXPIRY",
                "30m"), Map.of("export.threads", "3")).export().toCore();
        assertThat(c).isEqualTo(new ExportJobConfig(1000, Duration.ofMinutes(30), 3));
    }

    @Test
    void aBadExpiryNamesTheKey() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("BKLOG_EXPORT_EXPIRY", "tomorrow"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("export.expiry")
                .hasMessageContaining("tomorrow");
    }
}
