package io.bklog.core.agent;

import com.google.common.net.InetAddresses;
import io.bklog.core.collect.CollectorConfinement;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AgentConfigTest {

    @Test
    void defaultAddressesLeaveOutLoopbackLinkLocalAndContainerBridges() {
        assertThat(AgentConfig.hostAddress(InetAddresses.forString("127.0.0.1"))).isFalse();
        assertThat(AgentConfig.hostAddress(InetAddresses.forString("::1"))).isFalse();
        assertThat(AgentConfig.hostAddress(InetAddresses.forString("169.254.10.1"))).isFalse();
        assertThat(AgentConfig.hostAddress(InetAddresses.forString("fe80::1"))).isFalse();
        assertThat(AgentConfig.hostAddress(InetAddresses.forString("10.1.2.3"))).isTrue();
        assertThat(AgentConfig.bridge("docker0")).isTrue();
        assertThat(AgentConfig.bridge("br-3f2a")).isTrue();
        assertThat(AgentConfig.bridge("veth12")).isTrue();
        assertThat(AgentConfig.bridge("eth0")).isFalse();
        assertThat(AgentConfig.localAddresses()).noneMatch(ip -> ip.equals("127.0.0.1") || ip.equals("::1")
                || ip.startsWith("fe80") || ip.startsWith("169.254."));
    }

    @Test
    void theAllowListsDefaultToTheServersDefaultsAndNamesAreBounded() {
        AgentConfig c = new AgentConfig(List.of(URI.create("http://s:1")), "t", null, "a", "a", List.of(), null, 0,
                null, null, 0, null);
        assertThat(c.allowedPaths()).isEqualTo(CollectorConfinement.DEFAULT_ALLOWED_PATHS);
        assertThat(c.allowedPorts()).isEqualTo(CollectorConfinement.DEFAULT_ALLOWED_PORTS);
        assertThat(c.batchBytes()).isEqualTo(8L << 20);
        assertThatThrownBy(() -> new AgentConfig(List.of(URI.create("http://s:1")), "t", null, "n".repeat(250), "a",
                List.of(), null, 0, null, null, 0, null)).hasMessageContaining("249");
    }
}
