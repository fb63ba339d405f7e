package io.bklog.core.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.net.InetAddresses;
import io.bklog.core.etl.EtlConfigError;

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A collector's {@code targets}: the hosts whose agents run it, bklog's "IP chooser" done simply. Each target is one
 * of: a host name ({@code web-1}, {@code web-1.example.com}; compared case-insensitively with the agent's host name
 * and its {@code --name}), an IP address ({@code 10.0.0.7}, {@code ::1}), a CIDR ({@code 10.0.0.0/24}) matched
 * against every address the agent reports, or {@code label:key=value} matched against the agent's labels. An agent
 * runs the collector when any target matches it.
 */
public final class AgentTargets {
    /** Source types an agent runs: files and syslog of its host (bklog's row/section scenarios are files). */
    public static final List<String> AGENT_SOURCE_TYPES = List.of("file", "row", "section", "syslog");
    public static final int MAX_TARGETS = 1000;
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_.-]{0,252})");
    private static final Pattern LABEL_KEY = Pattern.compile("[A-Za-z0-9_.-]{1,63}");

    private AgentTargets() {
    }

    /** Who an agent says it is (see the trust model in docs/deployment.md). */
    public record Identity(String name, String host, List<String> ips, Map<String, String> labels) {
        public Identity {
            name = name == null ? "" : name;
            host = host == null ? "" : host;
            ips = ips == null ? List.of() : List.copyOf(ips);
            labels = labels == null ? Map.of() : Map.copyOf(labels);
        }
    }

    /** Every problem of a collector's targets, each at {@code targets[i]}; empty when valid (or none given). */
    public static List<EtlConfigError> validate(JsonNode targets, String sourceType) {
        List<EtlConfigError> errors = new ArrayList<>();
        if (targets == null || targets.isNull() || targets.isMissingNode()) return errors;
        if (!targets.isArray()) {
            errors.add(new EtlConfigError("targets", null, "expected a list of host names, IPs, CIDRs or"
                    + " label:key=value, e.g. [\"web-1\", \"10.0.0.0/24\", \"label:role=web\"]"));
            return errors;
        }
        if (targets.size() > MAX_TARGETS) {
            errors.add(new EtlConfigError("targets", null, "at most " + MAX_TARGETS + " targets; use a CIDR or a"
                    + " label for many hosts"));
        }
        for (int i = 0; i < targets.size(); i++) {
            JsonNode t = targets.get(i);
            String at = "targets[" + i + "]";
            if (!t.isTextual() || t.asText().isBlank()) {
                errors.add(new EtlConfigError(at, null, "expected a non-empty string: a host name, an IP, a CIDR or"
                        + " label:key=value"));
                continue;
            }
            String problem = problem(t.asText().trim());
            if (problem != null) errors.add(new EtlConfigError(at, null, "'" + t.asText() + "' " + problem));
        }
        if (!targets.isEmpty() && sourceType != null && !AGENT_SOURCE_TYPES.contains(sourceType)) {
            errors.add(new EtlConfigError("targets", null, "a '" + sourceType + "' collector cannot run on agents:"
                    + " agents run only " + String.join(", ", AGENT_SOURCE_TYPES) + " collectors; remove targets to"
                    + " run it on the servers with the collect role"));
        }
        return errors;
    }

    private static String problem(String t) {
        if (t.startsWith("label:")) {
            String kv = t.substring("label:".length());
            int eq = kv.indexOf('=');
            if (eq <= 0 || eq == kv.length() - 1) return "is not label:key=value (e.g. label:role=web)";
            if (!LABEL_KEY.matcher(kv.substring(0, eq)).matches()) {
                return "has label key '" + kv.substring(0, eq) + "': letters, digits, '_', '.', '-', up to 63";
            }
            return null;
        }
        int slash = t.indexOf('/');
        if (slash >= 0) {
            String addr = t.substring(0, slash);
            if (!InetAddresses.isInetAddress(addr)) return "is not a CIDR: '" + addr + "' is not an IP address";
            int max = InetAddresses.forString(addr).getAddress().length * 8;
            try {
                int bits = Integer.parseInt(t.substring(slash + 1));
                if (bits < 0 || bits > max) return "is not a CIDR: the prefix must be 0.." + max;
            } catch (NumberFormatException e) {
                return "is not a CIDR: the prefix length '" + t.substring(slash + 1) + "' is not a number";
            }
            return null;
        }
        if (InetAddresses.isInetAddress(t)) return null;
        if (!HOST.matcher(t).matches()) {
            return "is neither a host name, an IP, a CIDR (10.0.0.0/24) nor label:key=value";
        }
        return null;
    }

    /** Whether any of {@code targets} matches the agent. */
    public static boolean matches(JsonNode targets, Identity agent) {
        if (targets == null || !targets.isArray()) return false;
        for (JsonNode t : targets) {
            if (t.isTextual() && matches(t.asText().trim(), agent)) return true;
        }
        return false;
    }

    /** Whether one target matches the agent. */
    public static boolean matches(String target, Identity agent) {
        if (target.startsWith("label:")) {
            String kv = target.substring("label:".length());
            int eq = kv.indexOf('=');
            return eq > 0 && kv.substring(eq + 1).equals(agent.labels().get(kv.substring(0, eq)));
        }
        int slash = target.indexOf('/');
        if (slash >= 0) {
            for (String ip : agent.ips()) if (inCidr(ip, target.substring(0, slash), target.substring(slash + 1))) {
                return true;
            }
            return false;
        }
        if (InetAddresses.isInetAddress(target)) {
            InetAddress want = InetAddresses.forString(target);
            for (String ip : agent.ips()) {
                if (InetAddresses.isInetAddress(ip) && InetAddresses.forString(ip).equals(want)) return true;
            }
            return false;
        }
        String t = target.toLowerCase(Locale.ROOT);
        return t.equals(agent.host().toLowerCase(Locale.ROOT)) || t.equals(agent.name().toLowerCase(Locale.ROOT));
    }

    private static boolean inCidr(String ip, String network, String prefix) {
        if (!InetAddresses.isInetAddress(ip) || !InetAddresses.isInetAddress(network)) return false;
        byte[] a = InetAddresses.forString(ip).getAddress();
        byte[] n = InetAddresses.forString(network).getAddress();
        if (a.length != n.length) return false;
        int bits;
        try {
            bits = Integer.parseInt(prefix);
        } catch (NumberFormatException e) {
            return false;
        }
        if (bits < 0 || bits > a.length * 8) return false;
        if (bits == 0) return true;
        BigInteger mask = BigInteger.ONE.shiftLeft(a.length * 8).subtract(BigInteger.ONE)
                .shiftRight(bits).not();
        return new BigInteger(1, a).and(mask).equals(new BigInteger(1, n).and(mask));
    }
}
