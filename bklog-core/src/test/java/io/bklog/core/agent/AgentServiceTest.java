package io.bklog.core.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.core.LogPlatform;
import io.bklog.core.collect.CollectorService;
import io.bklog.core.collect.CollectorStatus;
import io.bklog.core.indexset.IndexSetSpec;
import io.bklog.core.meta.CollectorConfig;
import io.bklog.testkit.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The servers' side of agents: which configs an agent pulls (and when they changed), its reports, the list. */
class AgentServiceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-04T05:06:07Z"));
    private LogPlatform platform;
    private CollectorService collectors;
    private AgentService agents;

    @BeforeEach
    void start() {
        platform = LogPlatform.builder().dataDir(dir.resolve("data")).clock(clock).build();
        platform.indexSets().put("app", IndexSetSpec.defaults());
        collectors = platform.collectors();
        agents = new AgentService(platform.internals().metadata(), platform.indexSets(), clock);
    }

    @AfterEach
    void stop() {
        platform.close();
    }

    private static JsonNode json(String s) {
        try {
            return JSON.readTree(s.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private CollectorConfig file(String name, String targets) {
        return new CollectorConfig(0, name, 0, "file",
                json("{'paths': ['" + dir.resolve("logs").toAbsolutePath() + "/*.log'], 'tail_files': false}"),
                null, null, "bk_log_text", null, null, true, null, 0, null, null,
                targets == null ? null : json(targets));
    }

    private static AgentTargets.Identity web1() {
        return AgentService.identity("web-1", "web-1.example.com", "10.1.2.3", "role=web");
    }

    @Test
    void anAgentPullsOnlyTheActiveCollectorsThatTargetIt() {
        CollectorConfig byName = collectors.create(file("by_name", "['web-1']"), "app");
        CollectorConfig byCidr = collectors.create(file("by_cidr", "['10.1.0.0/16']"), "app");
        collectors.create(file("other_host", "['web-2', 'label:role=db']"), "app");
        collectors.create(file("servers_run_it", null), "app");

        AgentService.Configs c = agents.configs(web1(), null);
        assertThat(c.collectors()).extracting(m -> m.get("name")).containsExactlyInAnyOrder("by_name", "by_cidr");
        Map<String, Object> one = c.collectors().stream().filter(m -> m.get("name").equals("by_name")).findFirst()
                .orElseThrow();
        assertThat(one).containsEntry("index_set", "app").containsEntry("source_type", "file")
                .containsEntry("id", byName.id()).containsKeys("source_params", "etl_config", "space", "version");
        assertThat(agents.configs(AgentService.identity("db-9", null, "192.168.0.1", null), null).collectors())
                .isEmpty();

        collectors.stop(byCidr.id());
        assertThat(agents.configs(web1(), null).collectors()).extracting(m -> m.get("name"))
                .containsExactly("by_name");
    }

    @Test
    void theEtagChangesOnlyWhenATargetingCollectorChanges() {
        CollectorConfig c = collectors.create(file("by_label", "['label:role=web']"), "app");
        String etag = agents.configs(web1(), null).etag();
        assertThat(agents.configs(web1(), null).etag()).as("nothing changed").isEqualTo(etag);
        collectors.create(file("elsewhere", "['web-9']"), "app");
        assertThat(agents.configs(web1(), null).etag()).as("another host's collector").isEqualTo(etag);
        collectors.update(collectors.get(c.id()).withSource("file",
                json("{'paths': ['" + dir.resolve("other").toAbsolutePath() + "/*.log']}"), null, null));
        assertThat(agents.configs(web1(), null).etag()).as("its collector changed").isNotEqualTo(etag);
    }

    @Test
    void aCollectorWithTargetsIsNotRunByTheServersAndOneWithoutIsUnchanged() throws Exception {
        Files.createDirectories(dir.resolve("logs"));
        CollectorConfig targeted = collectors.create(file("on_agents", "['web-1']"), "app");
        CollectorConfig local = collectors.create(file("on_servers", null), "app");
        assertThat(collectors.status(local.id()).state()).isEqualTo(CollectorStatus.RUNNING);
        assertThat(collectors.status(targeted.id()).state()).isEqualTo(CollectorStatus.STOPPED);
        // given targets later: the servers stop it
        collectors.update(collectors.get(local.id()).withTargets(json("['web-1']")));
        assertThat(collectors.status(local.id()).state()).isEqualTo(CollectorStatus.STOPPED);
        assertThat(collectors.get(local.id()).targets()).hasSize(1);
    }

    @Test
    void refusesBadTargetsWithTheirPositionAndTargetsOnAKafkaCollector() {
        BklogException e = catchThrowableOfType(() -> collectors.create(file("bad", "['web-1', 'no such host!']"),
                "app"), BklogException.class);
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_COLLECTOR_CONFIG);
        assertThat(e.field()).contains("targets[1]");
        BklogException k = catchThrowableOfType(() -> collectors.create(new CollectorConfig(0, "k", 0, "kafka",
                json("{'topic': 't', 'bootstrap_servers': 'localhost:9092'}"), null, null, "bk_log_text", null, null,
                true, null, 0, null, null, json("['web-1']")), "app"), BklogException.class);
        assertThat(k.code()).isEqualTo(ErrorCode.INVALID_COLLECTOR_CONFIG);
        assertThat(k.getMessage()).contains("cannot run on agents");
    }

    @Test
    void reportsShowInTheListWithLagAndTurnStaleAndInTheCollectorsStatus() {
        CollectorConfig c = collectors.create(file("by_name", "['web-1']"), "app");
        agents.report("web-1", json("{'version': '1.2.3', 'host': 'web-1.example.com', 'ips': ['10.1.2.3'],"
                + " 'labels': {'role': 'web'}, 'collectors': [{'id': " + c.id() + ", 'name': 'by_name', 'state':"
                + " 'running', 'detail': 'tailing 1 file(s)', 'lag': 7}, {'id': 999, 'name': 'not_mine', 'lag': 3}],"
                + " 'buffer': {'bytes': 100, 'lines': 7}}"), null, "default");
        List<Map<String, Object>> list = agents.list(null);
        assertThat(list).singleElement().satisfies(a -> {
            assertThat(a).containsEntry("name", "web-1").containsEntry("version", "1.2.3")
                    .containsEntry("stale", false).containsEntry("lag", 7L);
            assertThat(((JsonNode) a.get("collectors"))).hasSize(1);
            assertThat(((JsonNode) a.get("collectors")).get(0).get("name").asText()).isEqualTo("by_name");
        });
        assertThat(collectors.status(c.id()).detail()).contains("agent:web-1").contains("lag 7");
        agents.report("web-1", json("{'host': 'web-1.example.com', 'ips': ['10.1.2.3'], 'collectors': []}"), null,
                "default");
        assertThat(collectors.status(c.id()).state()).as("it no longer runs it").isEqualTo(CollectorStatus.STOPPED);

        clock.advance(AgentService.STALE.plus(Duration.ofSeconds(1)));
        assertThat(agents.list(null).get(0)).containsEntry("stale", true);
        assertThat(agents.list("another_space")).isEmpty();
    }

    @Test
    void refusesAnAgentNameOfAnotherSpaceAndABadIdentity() {
        agents.report("web-1", json("{'host': 'web-1'}"), null, "default");
        BklogException e = catchThrowableOfType(() -> agents.report("web-1", json("{'host': 'web-1'}"), "team_b",
                "default"), BklogException.class);
        assertThat(e.code()).isEqualTo(ErrorCode.AGENT_NAME_TAKEN);
        BklogException bad = catchThrowableOfType(() -> AgentService.identity("web-1", null, "not-an-ip", null),
                BklogException.class);
        assertThat(bad.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(bad.field()).contains("ip");
        assertThat(catchThrowableOfType(() -> AgentService.identity(null, null, null, null), BklogException.class)
                .field()).contains("name");
    }

    @Test
    void aTokenOfSpaceBSeesNoneOfSpaceAsCollectorsOrAgents() {
        platform.internals().metadata().spaces().create(io.bklog.core.meta.Space.of("team_b", "Team B"));
        platform.indexSets().put("b_logs", IndexSetSpec.defaults(), "team_b");
        CollectorConfig a = collectors.create(file("in_a", "['web-1']"), "app");
        String spaceA = platform.indexSets().get("app").spaceUid();
        assertThat(agents.configs(web1(), spaceA).collectors()).extracting(m -> m.get("id")).containsExactly(a.id());
        assertThat(agents.configs(web1(), "team_b").collectors()).as("space B's token").isEmpty();
        agents.report("web-1", json("{'host': 'web-1', 'collectors': [{'id': " + a.id() + ", 'state': 'running'}]}"),
                spaceA, "default");
        assertThat(agents.list("team_b")).isEmpty();
        assertThat(agents.list(spaceA)).hasSize(1);
        // a report of space B about space A's collector records nothing of it
        agents.report("web-2", json("{'host': 'web-1', 'collectors': [{'id': " + a.id() + ", 'state': 'failed'}]}"),
                "team_b", "default");
        assertThat(((JsonNode) agents.list("team_b").get(0).get("collectors"))).isEmpty();
        assertThat(collectors.status(a.id()).detail()).doesNotContain("agent:web-2");
        assertThat(catchThrowableOfType(() -> agents.delete("web-1", "team_b", "default"), BklogException.class)
                .code()).isEqualTo(ErrorCode.AGENT_NOT_FOUND);
    }

    @Test
    void aReportIsBoundedValidatedAndDeduplicated() {
        CollectorConfig c = collectors.create(file("by_name", "['web-1']"), "app");
        BklogException bad = catchThrowableOfType(() -> agents.report("web-1", json("{'host': 'web-1', 'collectors':"
                + " [{'id': " + c.id() + ", 'state': 'pwned'}]}"), null, "default"), BklogException.class);
        assertThat(bad.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(bad.field()).contains("collectors[0].state");
        agents.report("web-1", json("{'host': 'web-1', 'collectors': [{'id': " + c.id() + ", 'state': 'running',"
                + " 'detail': '" + "d".repeat(5000) + "', 'lag': 1}, {'id': " + c.id() + ", 'state': 'running',"
                + " 'lag': 1000}]}"), null, "default");
        Map<String, Object> a = agents.list(null).get(0);
        assertThat((JsonNode) a.get("collectors")).hasSize(1);
        assertThat(((JsonNode) a.get("collectors")).get(0).get("detail").asText().length()).isLessThan(1100);
        assertThat(a).containsEntry("lag", 1L);
        String longName = "n".repeat(250);
        assertThat(catchThrowableOfType(() -> AgentService.identity(longName, null, null, null),
                BklogException.class).field()).contains("name");
        AgentService.identity("n".repeat(249), null, null, null);
    }

    @Test
    void aSecondAgentIdUnderALiveNameIsRefusedAndDeleteForgetsTheAgentAndItsRows() {
        CollectorConfig c = collectors.create(file("by_name", "['localhost']"), "app");
        String one = "11111111-1111-4111-8111-111111111111";
        String two = "22222222-2222-4222-8222-222222222222";
        String report = "{'agent_id': '%s', 'host': 'localhost', 'collectors': [{'id': " + c.id()
                + ", 'state': 'running'}]}";
        agents.report("localhost", json(report.formatted(one)), null, "default");
        BklogException e = catchThrowableOfType(() -> agents.report("localhost", json(report.formatted(two)), null,
                "default"), BklogException.class);
        assertThat(e.code()).isEqualTo(ErrorCode.AGENT_NAME_TAKEN);
        assertThat(e.getMessage()).contains(one);
        assertThat(collectors.status(c.id()).detail()).as("the first agent's row stays").contains("agent:localhost");
        agents.report("localhost", json(report.formatted(one)), null, "default");
        clock.advance(AgentService.STALE.plus(Duration.ofSeconds(1)));
        agents.report("localhost", json(report.formatted(two)), null, "default"); // the first one is gone: taken over
        assertThat(agents.list(null).get(0)).containsEntry("agent_id", two);

        agents.delete("localhost", null, "default");
        assertThat(agents.list(null)).isEmpty();
        assertThat(collectors.status(c.id()).state()).isNotEqualTo(CollectorStatus.RUNNING);
        assertThat(catchThrowableOfType(() -> agents.delete("localhost", null, "default"), BklogException.class)
                .code()).isEqualTo(ErrorCode.AGENT_NOT_FOUND);
    }

    @Test
    void aNameOfAnotherSpaceIsNotTakenOverByARacingReport() {
        agents.report("web-1", json("{'host': 'web-1'}"), null, "default");
        // the check before the write passed for both (a race): the write itself refuses to move the name
        boolean moved = platform.internals().metadata().agents().record(new io.bklog.core.meta.AgentRepository.Row(
                "web-1", "team_b", "web-1", "[]", "{}", "x", "{}", clock.instant(), clock.instant()));
        assertThat(moved).isFalse();
        assertThat(platform.internals().metadata().agents().find("web-1").orElseThrow().spaceUid())
                .isEqualTo("default");
    }
}
