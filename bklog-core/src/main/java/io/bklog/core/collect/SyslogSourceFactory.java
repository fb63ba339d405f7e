package io.bklog.core.collect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.ingest.LineHandler;
import io.bklog.core.ingest.LineSanitizer;
import io.bklog.core.ingest.source.SyslogFilter;
import io.bklog.core.ingest.source.SyslogServer;
import io.bklog.spi.source.SettingProblem;
import io.bklog.spi.source.Source;
import io.bklog.spi.source.SourceContext;
import io.bklog.spi.source.SourceFactory;
import io.bklog.spi.source.SourceStatus;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The built-in {@code syslog} source: a {@link SyslogServer} on {@code syslog_port} over UDP and/or TCP (newline or
 * octet-counting framing), RFC 3164 and RFC 5424 detected per message. Each document gets the parsed parts:
 * {@code hostname}, {@code program}, {@code pid}, {@code msgid}, {@code facility}, {@code severity} (+ labels),
 * {@code priority}, {@code sd.<id>.<param>}, {@code message}, and the sender {@code address}/{@code port}.
 *
 * <p>Params (bklog's names): {@code syslog_port} (required, 0 picks a free port), {@code syslog_protocol}
 * ({@code udp}, {@code tcp} or {@code both}; default {@code udp}), {@code syslog_monitor_host} (bind address,
 * default {@code 0.0.0.0}), {@code syslog_conditions} (bklog's syslog filter), {@code time_zone} (hours, for RFC 3164
 * timestamps which carry none; default 0), {@code max_bytes} (default 1 MiB).
 */
public final class SyslogSourceFactory implements SourceFactory {

    public static final String TYPE = "syslog";
    private static final Set<String> KNOWN = Set.of("syslog_port", "syslog_protocol", "syslog_monitor_host",
            "syslog_conditions", "time_zone", "max_bytes");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Clock clock;
    private final CollectorConfinement confinement;

    public SyslogSourceFactory(Clock clock) {
        this(clock, CollectorConfinement.unconfined(List.of()));
    }

    /** @param confinement the ports syslog collectors may listen on */
    public SyslogSourceFactory(Clock clock, CollectorConfinement confinement) {
        this.clock = clock == null ? Clock.systemUTC() : clock;
        this.confinement = java.util.Objects.requireNonNull(confinement, "confinement");
    }

    @Override
    public boolean hostResource() {
        return true;
    }

    @Override
    public void checkHostAccess(Map<String, Object> settings) {
        JsonNode params = SourceSettings.toJson(settings);
        List<String> problems = new ArrayList<>();
        Settings s = parse(params, problems);
        if (s == null || s.port() < 0) return;
        confinement.checkPort(s.port(), "source_params.syslog_port");
    }

    @Override
    public String type() {
        return TYPE;
    }

    private record Settings(int port, boolean udp, boolean tcp, String host, SyslogFilter filter, ZoneOffset zone,
                            int maxBytes) {
    }

    @SuppressWarnings("unchecked")
    private static Settings parse(JsonNode params, List<String> problems) {
        SourceParams p = new SourceParams(params, problems);
        if (!p.isObject()) return null;
        p.unknown(KNOWN);
        Integer port = p.integer("syslog_port", null, 0, 65535);
        if (port == null && params.get("syslog_port") == null) problems.add("syslog_port: required (1..65535, or 0 for a free port)");
        String protocol = p.string("syslog_protocol", "udp").trim().toLowerCase(Locale.ROOT);
        boolean udp = protocol.equals("udp") || protocol.equals("both");
        boolean tcp = protocol.equals("tcp") || protocol.equals("both");
        if (!udp && !tcp) problems.add("syslog_protocol: '" + protocol + "' must be udp, tcp or both");
        String host = p.string("syslog_monitor_host", "0.0.0.0");
        try {
            InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            problems.add("syslog_monitor_host: '" + host + "' is not an address of this machine");
        }
        SyslogFilter filter = SyslogFilter.NONE;
        JsonNode cond = p.node("syslog_conditions");
        if (cond != null && !cond.isNull()) {
            if (!cond.isArray()) {
                problems.add("syslog_conditions: expected a list of {syslog_field, syslog_content, syslog_op, syslog_logic_op}");
            } else {
                try {
                    List<Map<String, Object>> list = new ArrayList<>();
                    for (int i = 0; i < cond.size(); i++) {
                        if (!cond.get(i).isObject()) throw new IllegalArgumentException("syslog_conditions[" + i
                                + "]: expected an object");
                        list.add(JSON.convertValue(cond.get(i), Map.class));
                    }
                    filter = SyslogFilter.fromBklog(list);
                } catch (IllegalArgumentException e) {
                    problems.add(e.getMessage());
                }
            }
        }
        Integer tz = p.integer("time_zone", 0, -12, 14);
        Integer max = p.integer("max_bytes", LineSanitizer.DEFAULT_MAX_LINE_BYTES, 1, 64 << 20);
        return new Settings(port == null ? -1 : port, udp, tcp, host, filter, ZoneOffset.ofHours(tz), max);
    }

    @Override
    public List<SettingProblem> validate(Map<String, Object> settings) {
        List<String> problems = new ArrayList<>();
        parse(SourceSettings.toJson(settings), problems);
        return problems.stream().map(SettingProblem::parse).toList();
    }

    @Override
    public Source create(Map<String, Object> settings, SourceContext context) {
        requireValid(settings);
        Settings s = parse(SourceSettings.toJson(settings), new ArrayList<>());
        checkHostAccess(settings);
        return new Source() {
            private volatile SyslogServer server;
            private volatile boolean stopped;

            @Override
            public synchronized void start() throws Exception {
                if (stopped || server != null) throw new IllegalStateException("syslog source started twice");
                SyslogServer.Builder b = SyslogServer.builder(LineHandler.of(context.sink())).bindAddress(s.host())
                        .filter(s.filter()).zone(s.zone()).maxMessageBytes(s.maxBytes()).clock(context.clock());
                if (s.udp()) b.udpPort(s.port());
                if (s.tcp()) b.tcpPort(s.port());
                try {
                    server = b.build();
                } catch (java.net.BindException e) {
                    throw new java.net.BindException("cannot listen on " + s.host() + ":" + s.port() + ": "
                            + e.getMessage());
                }
            }

            @Override
            public SourceStatus status() {
                SyslogServer srv = server;
                if (stopped) return new SourceStatus(SourceStatus.State.STOPPED, "stopped");
                if (srv == null) return new SourceStatus(SourceStatus.State.CREATED, "not started");
                StringBuilder sb = new StringBuilder("listening on");
                if (srv.udpPort() >= 0) sb.append(" udp ").append(s.host()).append(':').append(srv.udpPort());
                if (srv.tcpPort() >= 0) sb.append(" tcp ").append(s.host()).append(':').append(srv.tcpPort());
                if (srv.dropped() > 0) sb.append(", ").append(srv.dropped()).append(" udp message(s) dropped");
                return SourceStatus.running(sb.toString());
            }

            @Override
            public synchronized void stop() {
                if (stopped) return;
                stopped = true;
                if (server != null) server.close();
            }
        };
    }
}
