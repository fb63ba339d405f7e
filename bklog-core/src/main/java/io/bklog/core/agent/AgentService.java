package io.bklog.core.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.hash.Hashing;
import com.google.common.net.InetAddresses;
import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.core.collect.CollectorStatus;
import io.bklog.core.indexset.IndexSetService;
import io.bklog.core.meta.AgentRepository;
import io.bklog.core.meta.CollectorConfig;
import io.bklog.core.meta.CollectorRuntimeRepository;
import io.bklog.core.meta.IndexSet;
import io.bklog.core.meta.MetadataStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The servers' side of {@code bklog agent}: the collector configs that target an agent (with an etag so a poll that
 * changes nothing costs one small answer), the agents' status reports, and the list of agents.
 *
 * <p>Trust model (docs/deployment.md "Agents"): an agent authenticates with an API token of a space with the
 * {@code ingest} role. Its identity (name, host, IPs, labels) is what it claims: the servers cannot check it, so a
 * token's holder can pull the configs of any collector of the token's space that targets a host it claims to be.
 * Those configs carry file paths, ports, filters and ETL rules, never credentials (agents run only file and syslog
 * collectors); configs of other spaces and of other source types are never answered. A report is accepted only for
 * the agent name of the token's space (a name of another space is {@link ErrorCode#AGENT_NAME_TAKEN}) and only for
 * collectors that target the reporting agent.
 */
public final class AgentService {
    private static final Logger log = LoggerFactory.getLogger(AgentService.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** An agent not seen for this long (six of its 5 s heartbeats) is {@code stale}. */
    public static final Duration STALE = Duration.ofSeconds(30);
    /** The {@code collector_runtime} instance name of an agent: {@code agent:<name>}. */
    public static final String INSTANCE_PREFIX = "agent:";
    /** Up to 249: the {@code collector_runtime} instance column is 255 with the {@code agent:} prefix. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.:-]{0,248}");
    private static final Pattern UUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}"
            + "-[0-9a-fA-F]{12}");
    /** Bound of a status report's body (the route answers 413 {@code payload_too_large} past it). */
    public static final int MAX_STATUS_BYTES = 256 << 10;
    /** Bound of a collector's {@code detail} kept from a report. */
    static final int MAX_DETAIL = 1024;
    private static final java.util.Set<String> STATES = java.util.Set.of(CollectorStatus.RUNNING,
            CollectorStatus.STOPPED, CollectorStatus.FAILED);
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9_.-]{1,63}");

    private final MetadataStore metadata;
    private final IndexSetService indexSets;
    private final Clock clock;

    public AgentService(MetadataStore metadata, IndexSetService indexSets, Clock clock) {
        this.metadata = Objects.requireNonNull(metadata, "metadata");
        this.indexSets = Objects.requireNonNull(indexSets, "indexSets");
        this.clock = clock == null ? Clock.systemUTC() : clock;
    }

    /** The configs answered to an agent, and their etag (a hash of every collector's id, version and index set). */
    public record Configs(String etag, List<Map<String, Object>> collectors) {
    }

    /**
     * An agent identity from request parameters, refused with {@link ErrorCode#BAD_REQUEST} naming the field.
     *
     * @param ips    comma-separated IP addresses
     * @param labels comma-separated {@code key=value}
     */
    public static AgentTargets.Identity identity(String name, String host, String ips, String labels) {
        return identity(name, host, split(ips), labelMap(labels));
    }

    private static AgentTargets.Identity identity(String name, String host, List<String> ips,
                                                  Map<String, String> labels) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new BklogException(ErrorCode.BAD_REQUEST, "name: required, the agent's name (bklog agent --name,"
                    + " default its host name): letters, digits, '_', '.', ':', '-', up to 249; got "
                    + (name == null ? "none" : "'" + name + "'"), "name");
        }
        if (host != null && !host.isEmpty() && (host.length() > 255 || host.chars().anyMatch(Character::isWhitespace))) {
            throw new BklogException(ErrorCode.BAD_REQUEST, "host: a host name without spaces, up to 255", "host");
        }
        for (String ip : ips) {
            if (!InetAddresses.isInetAddress(ip)) {
                throw new BklogException(ErrorCode.BAD_REQUEST, "ip: '" + ip + "' is not an IP address", "ip");
            }
        }
        for (String k : labels.keySet()) {
            if (!LABEL.matcher(k).matches()) {
                throw new BklogException(ErrorCode.BAD_REQUEST, "labels: key '" + k + "' must be letters, digits, '_',"
                        + " '.', '-', up to 63", "labels");
            }
        }
        return new AgentTargets.Identity(name, host == null || host.isEmpty() ? name : host, ips, labels);
    }

    private static List<String> split(String csv) {
        List<String> out = new ArrayList<>();
        if (csv == null) return out;
        for (String s : csv.split(",")) if (!s.isBlank()) out.add(s.trim());
        return out;
    }

    private static Map<String, String> labelMap(String csv) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String kv : split(csv)) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new BklogException(ErrorCode.BAD_REQUEST, "labels: '" + kv + "' is not key=value", "labels");
            }
            out.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
        return out;
    }

    /**
     * The active collectors of {@code spaceUid} (null: every space, when auth is off) whose targets match the agent,
     * as the agent needs them (source, filters, multi-line, ETL, index set name, space).
     */
    public Configs configs(AgentTargets.Identity who, String spaceUid) {
        Map<Long, IndexSet> sets = new HashMap<>();
        for (IndexSet s : indexSets.list()) sets.put(s.id(), s);
        List<Map<String, Object>> out = new ArrayList<>();
        StringBuilder tag = new StringBuilder();
        for (CollectorConfig c : targeting(who, spaceUid, sets)) {
            IndexSet set = sets.get(c.indexSetId());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", c.id());
            m.put("name", c.name());
            m.put("version", c.version());
            m.put("index_set", set.name());
            m.put("index_set_id", set.id());
            m.put("space", set.spaceUid());
            m.put("source_type", c.sourceType());
            m.put("source_params", c.sourceParams());
            m.put("filters", c.filters());
            m.put("multiline", c.multiline());
            m.put("etl_config", c.etlConfig());
            m.put("etl_params", c.etlParams());
            m.put("fields", c.fields());
            out.add(m);
            tag.append(c.id()).append(':').append(c.version()).append(':').append(set.name()).append(';');
        }
        String etag = "\"" + Hashing.sha256().hashString(tag, StandardCharsets.UTF_8).toString().substring(0, 20)
                + "\"";
        return new Configs(etag, out);
    }

    /** The active collectors with targets, and the table's stamp they were read at. */
    private record Targeted(String stamp, List<CollectorConfig> collectors) {
    }

    private volatile Targeted targeted = new Targeted(null, List.of());

    /**
     * The active collectors with targets that agents may run: read again only when the collectors' table changed
     * (its {@link io.bklog.core.meta.CollectorConfigRepository#changeStamp()}), so each agent's poll costs one
     * aggregate query instead of the whole table.
     */
    private List<CollectorConfig> targetedCollectors() {
        String stamp = metadata.collectorConfigs().changeStamp();
        Targeted t = targeted;
        if (stamp.equals(t.stamp())) return t.collectors();
        List<CollectorConfig> out = new ArrayList<>();
        for (CollectorConfig c : metadata.collectorConfigs().listActive()) {
            if (c.targeted() && AgentTargets.AGENT_SOURCE_TYPES.contains(c.sourceType())) out.add(c);
        }
        targeted = new Targeted(stamp, List.copyOf(out));
        return out;
    }

    private List<CollectorConfig> targeting(AgentTargets.Identity who, String spaceUid, Map<Long, IndexSet> sets) {
        List<CollectorConfig> out = new ArrayList<>();
        for (CollectorConfig c : targetedCollectors()) {
            IndexSet set = sets.get(c.indexSetId());
            if (set == null || (spaceUid != null && !spaceUid.equals(set.spaceUid()))) continue;
            if (AgentTargets.matches(c.targets(), who)) out.add(c);
        }
        return out;
    }

    /**
     * Records an agent's status report: {@code version}, {@code host}, {@code ips}, {@code labels},
     * {@code collectors: [{id, name, state, detail, lag}]}, {@code buffer: {bytes, max_bytes, lines, full_refusals}},
     * {@code syslog_dropped}. Each reported collector that targets the agent (in the token's space) gets the agent's
     * row in the collectors' shared state, so {@code GET /api/v1/collectors/{id}} shows the agents running it.
     *
     * @param spaceUid the token's space; null when auth is off (the default space is recorded)
     */
    public void report(String name, JsonNode body, String spaceUid, String defaultSpace) {
        if (body == null || !body.isObject()) {
            throw new BklogException(ErrorCode.BAD_REQUEST, "expected a JSON object: {version, host, ips, labels,"
                    + " collectors, buffer}", null);
        }
        List<String> ips = new ArrayList<>();
        JsonNode ipNode = body.path("ips");
        if (!ipNode.isMissingNode() && !ipNode.isNull() && !ipNode.isArray()) {
            throw new BklogException(ErrorCode.BAD_REQUEST, "ips: expected a list of IP addresses", "ips");
        }
        for (JsonNode ip : ipNode) ips.add(ip.asText());
        Map<String, String> labels = new LinkedHashMap<>();
        JsonNode lab = body.path("labels");
        if (!lab.isMissingNode() && !lab.isNull() && !lab.isObject()) {
            throw new BklogException(ErrorCode.BAD_REQUEST, "labels: expected an object of key: value", "labels");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = lab.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            labels.put(e.getKey(), e.getValue().asText());
        }
        AgentTargets.Identity who = identity(name, body.path("host").asText(null), ips, labels);
        String version = body.path("version").asText("unknown");
        if (version.length() > 64) version = version.substring(0, 64);
        String space = spaceUid == null ? defaultSpace : spaceUid;
        String agentId = body.path("agent_id").asText(null);
        if (agentId != null && !UUID.matcher(agentId).matches()) {
            throw new BklogException(ErrorCode.BAD_REQUEST, "agent_id: the agent's UUID (its data dir's agent-id)",
                    "agent_id");
        }
        Instant now = clock.instant();
        metadata.agents().find(who.name()).ifPresent(r -> {
            if (!r.spaceUid().equals(space)) {
                throw new BklogException(ErrorCode.AGENT_NAME_TAKEN, "agent name '" + who.name() + "' belongs to"
                        + " an agent of another space; start this agent with another --name", "name");
            }
            // two hosts under one name (two "localhost"s, a cloned host) would delete each other's rows: the name
            // is the first agent's until it has been silent for STALE
            String had = read(r.status()).path("agent_id").asText(null);
            boolean live = r.lastSeen() != null && !r.lastSeen().isBefore(now.minus(STALE));
            if (had != null && agentId != null && !had.equals(agentId) && live) {
                throw new BklogException(ErrorCode.AGENT_NAME_TAKEN, "agent name '" + who.name() + "' is reported by"
                        + " another agent (agent_id " + had + ", host " + r.host() + ") seen "
                        + java.time.Duration.between(r.lastSeen(), now).toSeconds() + " s ago; start this agent with"
                        + " another --name", "name");
            }
        });
        JsonNode collectors = body.path("collectors");
        if (!collectors.isMissingNode() && !collectors.isNull() && !collectors.isArray()) {
            throw new BklogException(ErrorCode.BAD_REQUEST, "collectors: expected a list of {id, name, state, detail,"
                    + " lag}", "collectors");
        }
        ObjectNode status = JSON.createObjectNode();
        ArrayNode running = status.putArray("collectors");
        long lag = 0;
        Map<Long, IndexSet> sets = new HashMap<>();
        for (IndexSet s : indexSets.list()) sets.put(s.id(), s);
        Map<Long, CollectorConfig> mine = new HashMap<>();
        for (CollectorConfig c : targeting(who, spaceUid, sets)) mine.put(c.id(), c);
        java.util.Set<Long> reported = new java.util.HashSet<>();
        int at = -1;
        for (JsonNode c : collectors) {
            at++;
            String state = c.path("state").asText(CollectorStatus.RUNNING);
            if (!STATES.contains(state)) {
                throw new BklogException(ErrorCode.BAD_REQUEST, "collectors[" + at + "].state: one of " + STATES
                        .stream().sorted().toList() + ", got '" + abbrev(state, 64) + "'", "collectors[" + at + "].state");
            }
            long id = c.path("id").asLong(-1);
            CollectorConfig cfg = mine.get(id);
            if (cfg == null) continue; // not a collector of this agent: not recorded
            if (reported.contains(id)) continue; // once per collector
            String detail = abbrev(c.path("detail").asText(""), MAX_DETAIL);
            ObjectNode r = running.addObject();
            r.put("id", id);
            r.put("name", cfg.name());
            r.put("state", state);
            r.put("detail", detail);
            long l = Math.max(0, c.path("lag").asLong(0));
            r.put("lag", l);
            r.put("config_version", c.path("version").asLong(cfg.version()));
            lag += l;
            reported.add(id);
            try {
                metadata.collectorRuntime().record(new CollectorRuntimeRepository.Row(id, INSTANCE_PREFIX + who.name(),
                        state, null, "agent " + who.name() + " (" + who.host() + "): " + detail
                        + ", lag " + l + " line(s)", cfg.version(), now, now));
            } catch (RuntimeException e) {
                log.warn("event=agent_collector_state_not_shared agent={} collector={} reason=\"{}\"", who.name(), id,
                        e.toString());
            }
        }
        try { // what it no longer runs (stopped, no longer targeting it) is not shown as running by it
            metadata.collectorRuntime().forgetAllBut(INSTANCE_PREFIX + who.name(), reported);
        } catch (RuntimeException e) {
            log.warn("event=agent_collector_state_not_forgotten agent={} reason=\"{}\"", who.name(), e.toString());
        }
        status.put("lag", lag);
        JsonNode buffer = body.path("buffer");
        status.set("buffer", buffer.isObject() ? buffer : JSON.createObjectNode());
        status.put("syslog_dropped", body.path("syslog_dropped").asLong(0));
        if (agentId != null) status.put("agent_id", agentId);
        status.put("rejected", body.path("rejected").asLong(body.at("/buffer/rejected").asLong(0)));
        JsonNode shipper = body.path("shipper");
        if (shipper.isObject()) {
            ObjectNode sh = status.putObject("shipper");
            sh.put("alive", shipper.path("alive").asBoolean(true));
            sh.put("retrying", shipper.path("retrying").asBoolean(false));
            if (shipper.has("last_error")) sh.put("last_error", abbrev(shipper.path("last_error").asText(), MAX_DETAIL));
        }
        boolean recorded;
        try {
            recorded = metadata.agents().record(new AgentRepository.Row(who.name(), space, who.host(),
                    JSON.writeValueAsString(who.ips()), JSON.writeValueAsString(who.labels()), version,
                    JSON.writeValueAsString(status), now, now));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        if (!recorded) {
            throw new BklogException(ErrorCode.AGENT_NAME_TAKEN, "agent name '" + who.name() + "' belongs to an agent"
                    + " of another space; start this agent with another --name", "name");
        }
    }

    private static String abbrev(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "...";
    }

    /**
     * Forgets an agent of {@code spaceUid} (null: any, when auth is off): its row and its collectors' shared state
     * rows. An agent still running reports again with its next heartbeat.
     *
     * @throws BklogException {@link ErrorCode#AGENT_NOT_FOUND}
     */
    public void delete(String name, String spaceUid, String defaultSpace) {
        AgentRepository.Row r = metadata.agents().find(name).orElse(null);
        String space = spaceUid == null ? (r == null ? defaultSpace : r.spaceUid()) : spaceUid;
        if (r == null || !r.spaceUid().equals(space) || !metadata.agents().delete(name, space)) {
            throw new BklogException(ErrorCode.AGENT_NOT_FOUND, "no agent '" + name + "' in this space", "name");
        }
        metadata.collectorRuntime().forgetAllBut(INSTANCE_PREFIX + name, List.of());
        log.info("event=agent_deleted name={} space={}", name, space);
    }

    /** Every agent of {@code spaceUid} (null: all), with {@code stale} when not seen for {@link #STALE}. */
    public List<Map<String, Object>> list(String spaceUid) {
        Instant now = clock.instant();
        List<Map<String, Object>> out = new ArrayList<>();
        for (AgentRepository.Row r : metadata.agents().list()) {
            if (spaceUid != null && !spaceUid.equals(r.spaceUid())) continue;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", r.name());
            m.put("space", r.spaceUid());
            m.put("host", r.host());
            m.put("ips", read(r.ips()));
            m.put("labels", read(r.labels()));
            m.put("version", r.agentVersion());
            m.put("first_seen", r.firstSeen());
            m.put("last_seen", r.lastSeen());
            boolean stale = r.lastSeen() == null || r.lastSeen().isBefore(now.minus(STALE));
            m.put("stale", stale);
            JsonNode st = read(r.status());
            m.put("collectors", st.path("collectors"));
            m.put("lag", st.path("lag").asLong(0));
            m.put("buffer", st.path("buffer"));
            m.put("syslog_dropped", st.path("syslog_dropped").asLong(0));
            m.put("agent_id", st.path("agent_id").asText(null));
            m.put("rejected", st.path("rejected").asLong(0));
            if (st.has("shipper")) m.put("shipper", st.path("shipper"));
            out.add(m);
        }
        return out;
    }

    private static JsonNode read(String text) {
        try {
            return text == null ? JSON.createObjectNode() : JSON.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return JSON.createObjectNode();
        }
    }
}
