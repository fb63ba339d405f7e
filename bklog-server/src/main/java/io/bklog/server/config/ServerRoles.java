package io.bklog.server.config;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What one instance of the server does ({@code server.roles}, docs/deployment.md): any of
 * <ul>
 *   <li>{@code api}: the REST API under {@code /api} (search, context, tail, export, index sets, collectors, tasks,
 *   alerts...) and the web UI;</li>
 *   <li>{@code ingest}: the ingest API ({@code POST /api/v1/index_sets/{name}/ingest}), the Elasticsearch-compatible
 *   surface ({@code _bulk}...) and, with an ingest buffer (Kafka), the drain of the buffer into the store;</li>
 *   <li>{@code collect}: the sources of active collectors (files, syslog ports, Kafka topics of this host);</li>
 *   <li>{@code beat}: the scheduler's beat (publishes periodic tasks; one is active across instances);</li>
 *   <li>{@code worker}: the scheduler's workers ({@code scheduler.workers} threads).</li>
 * </ul>
 * {@code all} (the default) is every role. {@code /healthz}, {@code /livez}, {@code /readyz} and {@code /metrics}
 * are served whatever the roles.
 */
public record ServerRoles(Set<Role> roles) {
    public enum Role {
        API, INGEST, COLLECT, BEAT, WORKER;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final String ALL = "all";

    public ServerRoles {
        if (roles == null || roles.isEmpty()) throw new IllegalArgumentException("server.roles must name at least one role");
        roles = Set.copyOf(EnumSet.copyOf(roles));
    }

    public static ServerRoles all() {
        return new ServerRoles(EnumSet.allOf(Role.class));
    }

    /**
     * Parses a comma-separated list such as {@code api,ingest} or {@code all}; an unknown role is refused naming the
     * known ones.
     */
    public static ServerRoles parse(String text) {
        if (text == null || text.isBlank()) return all();
        EnumSet<Role> out = EnumSet.noneOf(Role.class);
        for (String raw : text.split(",")) {
            String r = raw.strip().toLowerCase(Locale.ROOT);
            if (r.isEmpty()) continue;
            if (r.equals(ALL)) {
                out.addAll(EnumSet.allOf(Role.class));
                continue;
            }
            Role role = Arrays.stream(Role.values()).filter(x -> x.id().equals(r)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("server.roles: unknown role '" + raw.strip()
                            + "'; known roles: all, " + Arrays.stream(Role.values()).map(Role::id)
                            .collect(Collectors.joining(", "))));
            out.add(role);
        }
        if (out.isEmpty()) throw new IllegalArgumentException("server.roles must name at least one role, got '"
                + text + "'; known roles: all, api, ingest, collect, beat, worker");
        return new ServerRoles(out);
    }

    public boolean has(Role role) {
        return roles.contains(role);
    }

    /** The roles in their canonical order, e.g. {@code [api, ingest]}. */
    public java.util.List<String> ids() {
        return EnumSet.copyOf(roles).stream().map(Role::id).toList();
    }

    @Override
    public String toString() {
        return String.join(",", ids());
    }
}
