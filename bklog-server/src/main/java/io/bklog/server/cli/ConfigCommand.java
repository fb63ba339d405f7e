package io.bklog.server.cli;

import io.bklog.server.config.ConfigLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code bklog config check [--config FILE] [--profile P]}: every unknown or invalid key, with a suggestion. */
@Command(name = "config", mixinStandardHelpOptions = true, versionProvider = BklogCommand.Version.class,
        description = "Configuration tools (see docs/config.md).", subcommands = ConfigCommand.CheckCommand.class)
final class ConfigCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }

    @Command(name = "check", mixinStandardHelpOptions = true, versionProvider = BklogCommand.Version.class,
            description = "Check the configuration (file, profile file, sources, BKLOG_* variables): exit 0 = valid, "
                    + "1 = every problem listed with its key path and a suggestion.")
    static final class CheckCommand implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--config", paramLabel = "FILE", description = "YAML config file")
        Path config;

        @Option(names = "--profile", paramLabel = "P",
                description = "profile (dev, stag, prod): also reads bklog-P.yaml beside the config file")
        String profile;

        /** The environment read; the process's unless a test sets it. */
        Map<String, String> env = System.getenv();

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            List<ConfigLoader.Problem> problems = ConfigLoader.check(config, profile, ConfigLoader.discoveredSources(),
                    env, Map.of());
            if (problems.isEmpty()) {
                out.println("config OK" + (config == null ? "" : ": " + config)
                        + (profile == null ? "" : " + profile " + profile));
                return 0;
            }
            out.println(problems.size() + " config problem" + (problems.size() == 1 ? "" : "s") + ":");
            problems.forEach(p -> out.println("  - " + p));
            return 1;
        }
    }
}
