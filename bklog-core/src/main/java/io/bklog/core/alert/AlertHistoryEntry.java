package io.bklog.core.alert;

import java.time.Instant;

/** One state change of a rule: at {@code at} (the evaluated period's start), from one state to another. */
public record AlertHistoryEntry(long id, long ruleId, String space, Instant at, String fromState, String toState,
                                Double value, String message) {}
