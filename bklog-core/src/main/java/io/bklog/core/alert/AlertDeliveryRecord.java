package io.bklog.core.alert;

import java.time.Instant;

/**
 * One notification to one channel, as the outbox keeps it: {@code pending} until delivered, then {@code delivered},
 * or {@code dead} after the channel's attempts (with the last error); {@code payload} is the webhook JSON body.
 */
public record AlertDeliveryRecord(String id, long ruleId, String space, String channel, String kind, String status,
                                  int attempts, String lastError, String payload, Instant createdAt,
                                  Instant updatedAt) {}
