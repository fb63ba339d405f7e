package io.bklog.core.health;

import io.bklog.spi.HealthzMetric;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders a {@link HealthReport} the ways bklog's {@code /healthz} answers: a JSON-ready map with bklog's keys,
 * Kubernetes-style plain text, and the same text with ANSI colours for a console.
 */
public final class HealthRenderer {
    private static final String GREEN = "\u001B[32m";
    private static final String RED = "\u001B[31m";
    private static final String RESET = "\u001B[0m";

    private HealthRenderer() {}

    /**
     * A structure for Jackson with bklog's wire names:
     * {@code {status, message, data: [{namespace, status, message, data: [{status, metric_name, metric_value,
     * dimensions, message, suggestion}]}]}}.
     */
    public static Map<String, Object> json(HealthReport report) {
        List<Map<String, Object>> namespaces = new ArrayList<>();
        for (NamespaceData ns : report.data()) {
            List<Map<String, Object>> metrics = new ArrayList<>();
            for (HealthzMetric m : ns.data()) {
                Map<String, Object> mm = new LinkedHashMap<>();
                mm.put("status", m.status());
                mm.put("metric_name", m.metricName());
                mm.put("metric_value", m.metricValue());
                mm.put("dimensions", new TreeMap<>(m.dimensions()));
                mm.put("message", m.message());
                mm.put("suggestion", m.suggestion());
                metrics.add(mm);
            }
            Map<String, Object> nm = new LinkedHashMap<>();
            nm.put("namespace", ns.namespace());
            nm.put("status", ns.status());
            nm.put("data", metrics);
            nm.put("message", ns.message());
            namespaces.add(nm);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("status", report.status());
        out.put("data", namespaces);
        out.put("message", report.message());
        return out;
    }

    /**
     * Kubernetes-style text: the overall message; one {@code [+]ns ok} or {@code [-]ns failed: reason} line per
     * namespace; then one {@code [+]ns/metric k=v value} line per metric (a failed metric adds its message and
     * suggestion).
     */
    public static String kubernetes(HealthReport report) {
        return text(report, false);
    }

    /** {@link #kubernetes} with green {@code [+]} and red {@code [-]} for a terminal. */
    public static String console(HealthReport report) {
        return text(report, true);
    }

    private static String text(HealthReport report, boolean colour) {
        StringBuilder sb = new StringBuilder(oneLine(report.message())).append('\n');
        for (NamespaceData ns : report.data()) {
            sb.append(mark(ns.status(), colour)).append(ns.namespace());
            sb.append(ns.status() ? " ok" : " failed: " + oneLine(ns.message())).append('\n');
        }
        for (NamespaceData ns : report.data()) {
            for (HealthzMetric m : ns.data()) {
                sb.append(mark(m.status(), colour)).append(ns.namespace()).append('/').append(m.metricName());
                new TreeMap<>(m.dimensions()).forEach((k, v) -> sb.append(' ').append(k).append('=').append(oneLine(v)));
                if (m.metricValue() != null) sb.append(' ').append(oneLine(String.valueOf(m.metricValue())));
                if (!m.status()) {
                    if (!m.message().isEmpty()) sb.append(" - ").append(oneLine(m.message()));
                    if (!m.suggestion().isEmpty()) sb.append(" (suggestion: ").append(oneLine(m.suggestion())).append(')');
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    private static String mark(boolean ok, boolean colour) {
        if (!colour) return ok ? "[+]" : "[-]";
        return (ok ? GREEN + "[+]" : RED + "[-]") + RESET;
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\r', ' ').replace('\n', ' ');
    }
}
