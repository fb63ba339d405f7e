package io.bklog.core.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.etl.EtlConfigError;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AgentTargetsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AgentTargets.Identity WEB1 = new AgentTargets.Identity("web-1-agent", "Web-1.example.com",
            List.of("10.1.2.3", "fe80::1"), Map.of("role", "web", "dc", "sh"));

    private static JsonNode list(String... targets) {
        return JSON.valueToTree(List.of(targets));
    }

    @Test
    void matchesByHostNameAgentNameIpCidrOrLabel() {
        assertThat(AgentTargets.matches(list("web-1.example.com"), WEB1)).as("host, any case").isTrue();
        assertThat(AgentTargets.matches(list("web-1-agent"), WEB1)).as("agent name").isTrue();
        assertThat(AgentTargets.matches(list("10.1.2.3"), WEB1)).as("ip").isTrue();
        assertThat(AgentTargets.matches(list("10.1.0.0/16"), WEB1)).as("cidr").isTrue();
        assertThat(AgentTargets.matches(list("fe80::/64"), WEB1)).as("ipv6 cidr").isTrue();
        assertThat(AgentTargets.matches(list("label:role=web"), WEB1)).as("label").isTrue();
        assertThat(AgentTargets.matches(list("db-1", "label:dc=sh"), WEB1)).as("any target").isTrue();
    }

    @Test
    void doesNotMatchOtherHostsAddressesOrLabels() {
        assertThat(AgentTargets.matches(list("web-2"), WEB1)).isFalse();
        assertThat(AgentTargets.matches(list("10.1.2.4"), WEB1)).isFalse();
        assertThat(AgentTargets.matches(list("10.2.0.0/16"), WEB1)).isFalse();
        assertThat(AgentTargets.matches(list("10.1.2.0/31"), WEB1)).isFalse();
        assertThat(AgentTargets.matches(list("label:role=db"), WEB1)).isFalse();
        assertThat(AgentTargets.matches(list("label:zone=web"), WEB1)).isFalse();
        assertThat(AgentTargets.matches(list(), WEB1)).as("no targets: servers run it").isFalse();
    }

    @Test
    void acceptsEveryFormAndNoTargets() {
        assertThat(AgentTargets.validate(list("web-1", "web-1.example.com", "10.0.0.7", "::1", "10.0.0.0/8",
                "2001:db8::/32", "label:role=web"), "file")).isEmpty();
        assertThat(AgentTargets.validate(null, "kafka")).isEmpty();
        assertThat(AgentTargets.validate(list(), "kafka")).isEmpty();
    }

    @Test
    void refusesEachBadTargetAtItsPosition() {
        List<EtlConfigError> errors = AgentTargets.validate(list("ok-host", "bad host!", "10.0.0.0/33",
                "10.0.0.300/8", "label:role", "label:=x", ""), "syslog");
        assertThat(errors).extracting(EtlConfigError::path)
                .containsExactly("targets[1]", "targets[2]", "targets[3]", "targets[4]", "targets[5]", "targets[6]");
        assertThat(errors.get(1).message()).contains("prefix must be 0..32");
        assertThat(errors.get(3).message()).contains("label:key=value");
    }

    @Test
    void refusesTargetsOnSourcesAgentsDoNotRunAndANonList() {
        assertThat(AgentTargets.validate(list("web-1"), "kafka")).singleElement()
                .satisfies(e -> assertThat(e.message()).contains("agents run only file, row, section, syslog"));
        assertThat(AgentTargets.validate(JSON.valueToTree("web-1"), "file")).singleElement()
                .satisfies(e -> assertThat(e.path()).isEqualTo("targets"));
    }
}
