package io.bklog.core.alert;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Settings of alerting (docs/alerting.md; the server's {@code alerting.*} keys).
 *
 * @param retentionDays             alert history, finished notifications (delivered, dead) and ended silences older
 *                                  than this are deleted by the task {@value AlertService#RETENTION_TASK}; 1..3650,
 *                                  default {@value #DEFAULT_RETENTION_DAYS}
 * @param webhookAllowedDestinations destinations a webhook may reach although they are internal (loopback, private,
 *                                  link-local, metadata...): IP addresses, CIDR ranges ({@code 10.1.0.0/16}) or
 *                                  host names; default none — internal destinations are refused
 * @param maxMessageChars           longest rendered message; longer ones are cut with a marker saying how much was
 *                                  cut; 256..1048576, default {@value #DEFAULT_MAX_MESSAGE_CHARS}
 * @param ruleLease                 the lease of a rule's lock while it is evaluated (renewed after the observation and the samples search):
 *                                  after a worker died or stalled mid-evaluation, another instance evaluates the
 *                                  rule once this passed; default 2 minutes, at least 1 s (library only: tests
 *                                  shorten it)
 */
public record AlertingConfig(int retentionDays, List<String> webhookAllowedDestinations, int maxMessageChars,
                             Duration ruleLease) {
    public static final int DEFAULT_RETENTION_DAYS = 30;
    public static final int DEFAULT_MAX_MESSAGE_CHARS = 16_384;

    public static final Duration DEFAULT_RULE_LEASE = Duration.ofMinutes(2);

    public AlertingConfig(int retentionDays, List<String> webhookAllowedDestinations, int maxMessageChars) {
        this(retentionDays, webhookAllowedDestinations, maxMessageChars, null);
    }

    public AlertingConfig {
        ruleLease = ruleLease == null ? DEFAULT_RULE_LEASE : ruleLease;
        if (ruleLease.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("alerting rule lease must be at least 1 s, got " + ruleLease);
        }
        if (retentionDays < 1 || retentionDays > 3650) {
            throw new IllegalArgumentException("alerting.retention_days must be 1..3650, got " + retentionDays);
        }
        if (maxMessageChars < 256 || maxMessageChars > 1_048_576) {
            throw new IllegalArgumentException("alerting.max_message_chars must be 256..1048576, got "
                    + maxMessageChars);
        }
        webhookAllowedDestinations = List.copyOf(webhookAllowedDestinations == null ? List.of()
                : webhookAllowedDestinations.stream().filter(Objects::nonNull).map(String::strip)
                .filter(s -> !s.isEmpty()).toList());
        Destinations.parse(webhookAllowedDestinations); // refuse a bad entry now, naming it
    }

    public static AlertingConfig defaults() {
        return new AlertingConfig(DEFAULT_RETENTION_DAYS, List.of(), DEFAULT_MAX_MESSAGE_CHARS);
    }

    public AlertingConfig withRetentionDays(int days) {
        return new AlertingConfig(days, webhookAllowedDestinations, maxMessageChars, ruleLease);
    }

    /** Allows webhooks to these internal destinations (IPs, CIDR ranges, host names). */
    public AlertingConfig withWebhookAllowedDestinations(List<String> allowed) {
        return new AlertingConfig(retentionDays, allowed, maxMessageChars, ruleLease);
    }

    /** Another rule lease (tests of a stalled evaluation shorten it). */
    public AlertingConfig withRuleLease(Duration lease) {
        return new AlertingConfig(retentionDays, webhookAllowedDestinations, maxMessageChars, lease);
    }

    public AlertingConfig withMaxMessageChars(int chars) {
        return new AlertingConfig(retentionDays, webhookAllowedDestinations, chars, ruleLease);
    }
}
