package io.bklog.server.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.bklog.server.BklogServer;
import io.bklog.server.cli.BklogCommand;
import io.bklog.server.config.BklogConfig;
import io.bklog.server.config.ConfigLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The deployment files you copy (deploy/systemd, deploy/kubernetes) against the real server: their command lines
 * parse with the real CLI, their config passes {@code bklog config check}, their ports are the configured port, and
 * their probe paths answer 200 on a real server.
 */
class DeployFilesTest {
    private static final Path DEPLOY = Path.of("..", "deploy");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    @TempDir
    Path tmp;

    /** The arguments after {@code -jar <jar>}, parsed by the real command line; returns the subcommand's parse. */
    private static CommandLine.ParseResult parse(List<String> command) {
        int jar = command.indexOf("-jar");
        assertThat(jar).as("command runs the jar: " + command).isGreaterThanOrEqualTo(0);
        assertThat(command.get(jar + 1)).endsWith("bklog-server-all.jar");
        List<String> args = command.subList(jar + 2, command.size());
        CommandLine.ParseResult r = BklogCommand.commandLine().parseArgs(args.toArray(String[]::new));
        assertThat(r.hasSubcommand()).as("names a subcommand: " + args).isTrue();
        return r.subcommand();
    }

    private Set<String> probePathsAnsweredOk(BklogConfig config, Set<String> paths) throws Exception {
        BklogConfig local = ConfigLoader.load(null, Map.of(), Map.of("data_dir", tmp.resolve("data").toString(),
                "server.port", "0", "server.host", "127.0.0.1"));
        Set<String> ok = new TreeSet<>();
        try (BklogServer server = BklogServer.start(local.withScheduler(config.scheduler()))) {
            HttpClient http = HttpClient.newHttpClient();
            for (String p : paths) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.uri() + p)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) ok.add(p);
            }
        }
        return ok;
    }

    @Test
    void systemdUnitRunsTheRealCommandWithAValidConfigOnItsPort() throws Exception {
        Map<String, List<String>> unit = new LinkedHashMap<>();
        for (String line : Files.readAllLines(DEPLOY.resolve("systemd/bklog.service"))) {
            int eq = line.indexOf('=');
            if (line.isBlank() || line.startsWith("#") || line.startsWith("[") || eq < 0) continue;
            unit.computeIfAbsent(line.substring(0, eq), k -> new ArrayList<>()).add(line.substring(eq + 1));
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (String e : unit.get("Environment")) env.put(e.substring(0, e.indexOf('=')), e.substring(e.indexOf('=') + 1));
        assertThat(unit.get("KillSignal")).containsExactly("SIGTERM");

        CommandLine.ParseResult pre = parse(List.of(unit.get("ExecStartPre").get(0).split(" ")));
        assertThat(pre.commandSpec().name()).isEqualTo("config");
        CommandLine.ParseResult serve = parse(List.of(unit.get("ExecStart").get(0).split(" ")));
        assertThat(serve.commandSpec().name()).isEqualTo("serve");
        assertThat(serve.<Path>matchedOptionValue("--config", null)).isEqualTo(Path.of("/etc/bklog/bklog.yaml"));
        int port = serve.matchedOptionValue("--port", -1);

        // /etc/bklog/bklog.yaml is deploy/systemd/bklog.yaml, with the profile the unit sets (bklog-prod.yaml)
        Path config = DEPLOY.resolve("systemd/bklog.yaml");
        assertThat(env).containsEntry("BKLOG_PROFILE", "prod");
        assertThat(ConfigLoader.check(config, null, List.of(), env, Map.of())).isEmpty();
        BklogConfig loaded = ConfigLoader.load(config, null, List.of(), env, Map.of());
        assertThat(loaded.server().port()).isEqualTo(port).isEqualTo(9280);
        assertThat(loaded.backup().store()).isEqualTo("s3");
        assertThat(probePathsAnsweredOk(loaded, Set.of("/livez", "/readyz"))).containsExactly("/livez", "/readyz");
    }

    @Test
    void kubernetesDeploymentsProbeRealPathsOnTheConfiguredPortAndRunTheRealCommand() throws Exception {
        List<JsonNode> docs = new ArrayList<>();
        try (var parser = YAML.getFactory().createParser(DEPLOY.resolve("kubernetes/bklog.yaml").toFile())) {
            YAML.readValues(parser, JsonNode.class).forEachRemaining(docs::add);
        }
        JsonNode configMap = docs.stream().filter(d -> d.path("kind").asText().equals("ConfigMap")).findFirst()
                .orElseThrow();
        Path config = Files.writeString(tmp.resolve("bklog.yaml"), configMap.at("/data/bklog.yaml").asText());
        List<JsonNode> deployments = docs.stream().filter(d -> d.path("kind").asText().equals("Deployment")).toList();
        assertThat(deployments).extracting(d -> d.at("/metadata/labels/role").asText())
                .containsExactlyInAnyOrder("api", "worker");
        Set<String> probed = new TreeSet<>();
        for (JsonNode d : deployments) {
            String name = d.at("/metadata/name").asText();
            JsonNode c = d.at("/spec/template/spec/containers/0");
            List<String> command = new ArrayList<>();
            c.get("command").forEach(a -> command.add(a.asText()));
            CommandLine.ParseResult serve = parse(command);
            assertThat(serve.commandSpec().name()).as(name).isEqualTo("serve");
            Path configPath = serve.matchedOptionValue("--config", null);
            JsonNode mount = null;
            for (JsonNode m : c.get("volumeMounts")) if (m.get("name").asText().equals("config")) mount = m;
            assertThat(mount).as(name + " mounts the ConfigMap").isNotNull();
            assertThat(configPath.getParent()).isEqualTo(Path.of(mount.get("mountPath").asText()));
            assertThat(configMap.at("/data").has(configPath.getFileName().toString())).isTrue();

            Map<String, String> env = new LinkedHashMap<>();
            c.get("env").forEach(e -> env.put(e.get("name").asText(), e.get("value").asText()));
            assertThat(ConfigLoader.check(config, null, List.of(), env, Map.of())).as(name).isEmpty();
            BklogConfig loaded = ConfigLoader.load(config, null, List.of(), env, Map.of());
            int port = loaded.server().port();
            assertThat(c.at("/ports/0/containerPort").asInt()).as(name).isEqualTo(port);
            assertThat(c.at("/livenessProbe/httpGet/port").asInt()).as(name).isEqualTo(port);
            assertThat(c.at("/readinessProbe/httpGet/port").asInt()).as(name).isEqualTo(port);
            probed.add(c.at("/livenessProbe/httpGet/path").asText());
            probed.add(c.at("/readinessProbe/httpGet/path").asText());
            assertThat(c.at("/resources/requests/memory").asText()).as(name).isNotEmpty();
            assertThat(c.at("/resources/limits/memory").asText()).as(name).isNotEmpty();
            if (name.equals("bklog-api")) {
                assertThat(loaded.scheduler().beat()).isFalse();
                assertThat(loaded.scheduler().workers()).isZero();
                assertThat(loaded.server().roles().split(",")).as(name).containsExactlyInAnyOrder("api", "ingest");
            } else {
                assertThat(loaded.server().roles().split(",")).as(name).containsExactlyInAnyOrder("beat", "worker");
            }
        }
        assertThat(probed).containsExactlyInAnyOrder("/livez", "/readyz");
        assertThat(probePathsAnsweredOk(BklogConfig.defaults(), probed)).isEqualTo(probed);
        JsonNode service = docs.stream().filter(d -> d.path("kind").asText().equals("Service")).findFirst().orElseThrow();
        assertThat(service.at("/spec/ports/0/targetPort").asInt()).isEqualTo(9280);
    }
}
