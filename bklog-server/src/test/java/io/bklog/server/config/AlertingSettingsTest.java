package io.bklog.server.config;

import io.bklog.core.alert.AlertingConfig;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AlertingSettingsTest {
    @Test
    void defaultsKeepThirtyDaysAndAllowNoInternalWebhookDestination() {
        AlertingConfig c = ConfigLoader.load(null, Map.of(), Map.of()).alerting().toCore();
        assertThat(c).isEqualTo(AlertingConfig.defaults());
        assertThat(c.retentionDays()).isEqualTo(30);
        assertThat(c.webhookAllowedDestinations()).isEmpty();
        assertThat(c.maxMessageChars()).isEqualTo(16_384);
    }

    @Test
    void envAndCommandLineSetRetentionAllowListAndMessageCap() {
        AlertingConfig c = ConfigLoader.load(null, Map.of("BKLOG_ALERTING_RETENTION_DAYS", "7",
                "BKLOG_ALERTING_WEBHOOK_ALLOWED_DESTINATIONS", "10.1.0.0/16, hooks.internal"),
                Map.of("alerting.max_message_chars", "4096")).alerting().toCore();
        assertThat(c.retentionDays()).isEqualTo(7);
        assertThat(c.webhookAllowedDestinations()).containsExactly("10.1.0.0/16", "hooks.internal");
        assertThat(c.maxMessageChars()).isEqualTo(4096);
    }

    @Test
    void badValuesNameTheKey() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("BKLOG_ALERTING_RETENTION_DAYS", "0"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("alerting.retention_days");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("BKLOG_ALERTING_WEBHOOK_ALLOWED_DESTINATIONS",
                "10.0.0.0/99"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("10.0.0.0/99");
        assertThat(new AlertingSettings(null, List.of("127.0.0.1,::1"), null).webhookAllowedDestinations())
                .containsExactly("127.0.0.1", "::1");
    }
}
