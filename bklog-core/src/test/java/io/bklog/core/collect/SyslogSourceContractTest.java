package io.bklog.core.collect;

import io.bklog.spi.source.SourceFactory;
import io.bklog.testkit.source.SourceContract;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/** The built-in {@code syslog} source (TCP) passes the source contract; it has no positions to replay from. */
class SyslogSourceContractTest extends SourceContract {
    private final SyslogSourceFactory factory = new SyslogSourceFactory(Clock.systemUTC());

    @Override
    protected SourceFactory factory() {
        return factory;
    }

    @Override
    protected Map<String, Object> newSettings() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        return Map.of("syslog_port", port, "syslog_protocol", "tcp", "syslog_monitor_host", "127.0.0.1");
    }

    @Override
    protected void produce(Map<String, Object> settings, List<String> lines) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), (Integer) settings.get("syslog_port"))) {
            OutputStream out = s.getOutputStream();
            for (String l : lines) out.write((l + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }

    @Override
    protected Map<String, Object> badSettings() {
        return Map.of("syslog_port", 70000);
    }

    @Override
    protected String badSettingKey() {
        return "syslog_port";
    }
}
