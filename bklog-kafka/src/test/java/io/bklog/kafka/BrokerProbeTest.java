package io.bklog.kafka;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The TCP probe of the Kafka health against a real listening socket, with a stepped clock. */
class BrokerProbeTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void aFloodOfChecksMakesOneConnectPerBrokerPerCacheTimeAndNoneOnceTheDeadlinePassed() throws Exception {
        AtomicLong now = new AtomicLong(1000 * SECOND);
        AtomicInteger accepted = new AtomicInteger();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try (Socket s = server.accept()) {
                        accepted.incrementAndGet();
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            }, "probe-test-acceptor");
            acceptor.setDaemon(true);
            acceptor.start();
            BrokerProbe probe = new BrokerProbe(Duration.ofSeconds(5), now::get);
            String host = "localhost";
            int port = server.getLocalPort();

            // past the deadline: nothing is tried, and a broker is not called down for it
            assertThat(probe.probe(host, port, now.get() - 1)).isEqualTo(BrokerProbe.Result.UNKNOWN);
            for (int i = 0; i < 50; i++) {
                assertThat(probe.probe(host, port, now.get() + 5 * SECOND)).isEqualTo(BrokerProbe.Result.ACCEPTS);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> accepted.get() >= 1);
            now.addAndGet(4 * SECOND);
            assertThat(probe.probe(host, port, now.get() + 5 * SECOND)).isEqualTo(BrokerProbe.Result.ACCEPTS);
            now.addAndGet(2 * SECOND); // 6 s after the first connect: asked again
            assertThat(probe.probe(host, port, now.get() + 5 * SECOND)).isEqualTo(BrokerProbe.Result.ACCEPTS);
            await().atMost(Duration.ofSeconds(5)).until(() -> accepted.get() >= 2);
            Thread.sleep(200); // no late third connect
            assertThat(accepted.get()).as("51 checks over 6 s, 2 connects").isEqualTo(2);
        }
    }

    @Test
    void aClosedPortIsSilentAndAnUnresolvableNameIsSilentWithoutHoldingTheCheck() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        BrokerProbe probe = new BrokerProbe(Duration.ofSeconds(5), System::nanoTime);
        assertThat(probe.probe("127.0.0.1", closed, System.nanoTime() + 2 * SECOND)).isEqualTo(BrokerProbe.Result.SILENT);
        long t0 = System.nanoTime();
        BrokerProbe.Result r = probe.probe("no-such-broker.invalid", 9092, System.nanoTime() + 300_000_000L);
        assertThat(r).isIn(BrokerProbe.Result.SILENT, BrokerProbe.Result.UNKNOWN);
        assertThat((System.nanoTime() - t0) / 1_000_000).as("bounded by the time left").isLessThan(1000);
    }
}
