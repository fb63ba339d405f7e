package io.bklog.server.config;

import com.fasterxml.jackson.annotation.JsonFormat;
import io.bklog.core.alert.AlertingConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * Alerting ({@code alerting.*}); see {@link AlertingConfig} and docs/alerting.md.
 *
 * @param retentionDays              days alert history, finished notifications and ended silences are kept; default
 *                                   30
 * @param webhookAllowedDestinations internal addresses webhooks may reach (IPs, CIDR ranges, host names, {@code *}
 *                                   for all); default none. In an env var, entries are separated by commas
 * @param maxMessageChars            longest rendered alert message (longer ones are cut with a marker); default 16384
 */
public record AlertingSettings(Integer retentionDays,
                               @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
                               List<String> webhookAllowedDestinations,
                               Integer maxMessageChars) {
    public AlertingSettings {
        retentionDays = retentionDays == null ? AlertingConfig.DEFAULT_RETENTION_DAYS : retentionDays;
        maxMessageChars = maxMessageChars == null ? AlertingConfig.DEFAULT_MAX_MESSAGE_CHARS : maxMessageChars;
        List<String> out = new ArrayList<>();
        for (String e : webhookAllowedDestinations == null ? List.<String>of() : webhookAllowedDestinations) {
            if (e == null) continue;
            for (String part : e.split(",")) if (!part.isBlank()) out.add(part.strip());
        }
        webhookAllowedDestinations = List.copyOf(out);
        toCore(retentionDays, webhookAllowedDestinations, maxMessageChars); // refuse bad values at load, naming them
    }

    public static AlertingSettings defaults() {
        return new AlertingSettings(null, null, null);
    }

    /** The core settings. */
    public AlertingConfig toCore() {
        return toCore(retentionDays, webhookAllowedDestinations, maxMessageChars);
    }

    private static AlertingConfig toCore(int days, List<String> allowed, int chars) {
        return new AlertingConfig(days, allowed, chars);
    }
}
