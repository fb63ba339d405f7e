package io.bklog.core.alert;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which addresses a webhook may reach. Internal addresses — loopback, unspecified, private (RFC 1918, IPv6 unique
 * local), link-local (with the cloud metadata address 169.254.169.254), carrier-grade NAT (100.64.0.0/10, where
 * some clouds put their metadata service), multicast, reserved — are refused unless an allow-list entry names them:
 * an IP address, a CIDR range or a host name (which allows whatever it resolves to); {@code *} allows everything.
 * IPv4 addresses inside IPv6 ones (mapped, compatible, NAT64, 6to4) are judged as the IPv4 address.
 */
final class Destinations {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Destinations.class);

    /** Resolves a host name to its addresses; tests give their own. */
    interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    static final Resolver DNS = InetAddress::getAllByName;

    private record Range(byte[] network, int bits, String text) {
        boolean contains(byte[] a) {
            if (a.length != network.length) return false;
            for (int i = 0; i < bits; i++) {
                int mask = 0x80 >> (i % 8);
                if ((a[i / 8] & mask) != (network[i / 8] & mask)) return false;
            }
            return true;
        }
    }

    private final List<Range> ranges;
    private final List<String> hosts;
    private final boolean all;
    private final Resolver resolver;

    private Destinations(List<Range> ranges, List<String> hosts, boolean all, Resolver resolver) {
        this.ranges = ranges;
        this.hosts = hosts;
        this.all = all;
        this.resolver = resolver;
    }

    /** The allow-list {@code allowed} (checked: a bad entry is refused naming it). */
    static Destinations parse(List<String> allowed) {
        return parse(allowed, DNS);
    }

    static Destinations parse(List<String> allowed, Resolver resolver) {
        List<Range> ranges = new ArrayList<>();
        List<String> hosts = new ArrayList<>();
        boolean all = false;
        for (String e : allowed) {
            String t = e.strip().toLowerCase(Locale.ROOT);
            if (t.equals("*")) {
                all = true;
            } else if (t.contains("/") || isLiteral(t)) {
                ranges.add(range(t));
            } else if (t.matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\\.?")) {
                hosts.add(t.endsWith(".") ? t.substring(0, t.length() - 1) : t);
            } else {
                throw new IllegalArgumentException("alerting.webhook_allowed_destinations: '" + e + "' is neither an IP"
                        + " address, a CIDR range (10.1.0.0/16) nor a host name");
            }
        }
        return new Destinations(List.copyOf(ranges), List.copyOf(hosts), all, resolver);
    }

    private static boolean isLiteral(String t) {
        return t.matches("[0-9.]+") || t.contains(":");
    }

    private static Range range(String t) {
        String addr = t;
        int bits = -1;
        int slash = t.indexOf('/');
        if (slash >= 0) {
            addr = t.substring(0, slash);
            try {
                bits = Integer.parseInt(t.substring(slash + 1));
            } catch (NumberFormatException e) {
                bits = -2;
            }
        }
        byte[] a = literal(addr);
        if (a == null || bits == -2 || bits > a.length * 8) {
            throw new IllegalArgumentException("alerting.webhook_allowed_destinations: '" + t + "' is not an IP"
                    + " address or CIDR range");
        }
        return new Range(a, bits < 0 ? a.length * 8 : bits, t);
    }

    /** The bytes of an IP literal (no name resolution), or null. */
    private static byte[] literal(String s) {
        String x = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
        if (x.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            byte[] b = new byte[4];
            String[] p = x.split("\\.");
            for (int i = 0; i < 4; i++) {
                int v = Integer.parseInt(p[i]);
                if (v > 255) return null;
                b[i] = (byte) v;
            }
            return b;
        }
        if (x.contains(":") && x.matches("[0-9a-fA-F:.]+")) {
            try {
                return InetAddress.getByName(x).getAddress(); // a literal: parsed, not resolved
            } catch (UnknownHostException e) {
                return null;
            }
        }
        return null;
    }

    /**
     * Checks the destination of {@code url}: resolves its host and refuses it (naming the address and why) when any
     * of its addresses is internal and not allowed. A host that does not resolve is let through (the delivery fails
     * and is retried; every delivery checks again).
     */
    void check(URI url) {
        check(url, false);
    }

    /**
     * As {@link #check(URI)}; with {@code atDelivery} a host that does not resolve is refused too ({@link
     * Unresolved}, retried by the delivery): the HTTP client would resolve it again by itself, to an address nobody
     * checked.
     */
    void check(URI url, boolean atDelivery) {
        if (all) return;
        String host = url.getHost();
        if (host == null) return;
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
        if (h.endsWith(".")) h = h.substring(0, h.length() - 1);
        if (hosts.contains(h)) return;
        InetAddress[] addresses;
        try {
            byte[] literal = literal(h);
            addresses = literal != null ? new InetAddress[]{InetAddress.getByAddress(literal)} : resolver.resolve(h);
        } catch (UnknownHostException e) {
            if (atDelivery) throw new Unresolved("host '" + host + "' does not resolve now; the delivery is retried");
            return;
        }
        for (InetAddress a : addresses) {
            String why = internal(a);
            if (why == null) continue;
            byte[] b = a.getAddress();
            byte[] v4 = embeddedIpv4(a);
            boolean allowed = ranges.stream().anyMatch(r -> r.contains(b) || (v4 != null && r.contains(v4)));
            if (!allowed) {
                // the resolved address is logged, not answered: a caller must not map internal names with it
                boolean literal = literal(h) != null;
                if (!literal) log.warn("event=alert_destination_refused host={} address={} why=\"{}\"", host,
                        a.getHostAddress(), why);
                throw new IllegalArgumentException("settings.url: host '" + host + "' "
                        + (literal ? "is " + why : "resolves to " + why) + "; webhooks to internal"
                        + " addresses are refused unless alerting.webhook_allowed_destinations lists them"
                        + " (docs/alerting.md)");
            }
        }
    }

    /** A destination whose host does not resolve at delivery time: retried, never sent to blindly. */
    static final class Unresolved extends RuntimeException {
        Unresolved(String message) {
            super(message, null, false, false);
        }
    }

    /** Why {@code a} is internal (e.g. "a loopback address"), or null when it is a public address. */
    static String internal(InetAddress a) {
        byte[] b6 = a.getAddress();
        if (b6.length == 16 && b6[0] == 0 && (b6[1] & 0xff) == 0x64 && (b6[2] & 0xff) == 0xff && (b6[3] & 0xff) == 0x9b
                && !java.util.Arrays.equals(b6, 4, 12, new byte[8], 0, 8)) {
            // 64:ff9b:1::/48 and the rest of 64:ff9b::/32 but the well-known /96: local-use NAT64, whose prefix
            // length (and so where the IPv4 sits) only the local translator knows
            return "a local-use NAT64 address (its IPv4 address cannot be told)";
        }
        byte[] v4 = embeddedIpv4(a);
        if (v4 != null) return internalV4(v4);
        byte[] b = a.getAddress();
        if (a.isAnyLocalAddress()) return "the unspecified address";
        if (a.isLoopbackAddress()) return "a loopback address";
        if (a.isLinkLocalAddress()) return "a link-local address";
        if (a.isSiteLocalAddress()) return "a site-local address";
        if (a.isMulticastAddress()) return "a multicast address";
        if ((b[0] & 0xfe) == 0xfc) return "a private (unique local) address";
        if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x01 && (b[2] & 0xff) == 0x0d && (b[3] & 0xff) == 0xb8) {
            return "a documentation address";
        }
        return null;
    }

    private static String internalV4(byte[] b) {
        int a0 = b[0] & 0xff;
        int a1 = b[1] & 0xff;
        if (a0 == 127) return "a loopback address";
        if (a0 == 0) return "the unspecified (this network) address";
        if (a0 == 10 || (a0 == 172 && a1 >= 16 && a1 <= 31) || (a0 == 192 && a1 == 168)) {
            return "a private address";
        }
        if (a0 == 169 && a1 == 254) return "a link-local address (cloud metadata)";
        if (a0 == 100 && a1 >= 64 && a1 <= 127) return "a carrier-grade NAT address (some clouds' metadata)";
        if (a0 == 192 && a1 == 0 && (b[2] & 0xff) == 0) return "an IETF protocol address";
        if (a0 == 198 && (a1 == 18 || a1 == 19)) return "a benchmarking address";
        if (a0 >= 224) return a0 < 240 ? "a multicast address" : "a reserved address";
        return null;
    }

    /**
     * The IPv4 address of an IPv4 one, or the one inside an IPv6 address (compatible, mapped, NAT64's well-known
     * 64:ff9b::/96, 6to4, Teredo).
     */
    private static byte[] embeddedIpv4(InetAddress a) {
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) return b;
        if (!(a instanceof Inet6Address)) return null;
        boolean zero96 = true;
        for (int i = 0; i < 10; i++) zero96 &= b[i] == 0;
        boolean mapped = zero96 && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
        boolean compatible = zero96 && b[10] == 0 && b[11] == 0 && !(b[12] == 0 && b[13] == 0 && b[14] == 0
                && (b[15] == 0 || b[15] == 1)); // not :: nor ::1
        boolean nat64 = (b[0] & 0xff) == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff
                && (b[3] & 0xff) == 0x9b;
        if (mapped || compatible || nat64) return java.util.Arrays.copyOfRange(b, 12, 16);
        if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x02) return java.util.Arrays.copyOfRange(b, 2, 6); // 6to4
        if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x01 && b[2] == 0 && b[3] == 0) {
            // Teredo (2001::/32): the client's IPv4 is the last 32 bits, inverted
            byte[] v4 = java.util.Arrays.copyOfRange(b, 12, 16);
            for (int i = 0; i < 4; i++) v4[i] = (byte) ~v4[i];
            return v4;
        }
        return null;
    }
}
