package io.bklog.core.alert;

import java.util.Map;

/**
 * What one evaluation of a rule saw: the value compared with the threshold, whether the condition held, whether
 * the window had no data at all, and the groups (group-by values or patterns) that met the condition.
 */
record Observation(double value, boolean held, boolean noData, Map<String, Double> groups) {}
