package io.bklog.server.cli;

import io.bklog.core.alert.AlertRule;
import io.bklog.core.alert.AlertService;
import io.bklog.core.alert.RuleState;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * {@code bklog alerts list [--space S]}: the alert rules with their condition, period, channels and current state
 * (docs/alerting.md). Opens the platform of the config / data dir itself; with the embedded store, stop the server
 * first or use {@code GET /api/v1/alerts/rules}.
 */
@Command(name = "alerts", mixinStandardHelpOptions = true, versionProvider = BklogCommand.Version.class,
        description = "List the alert rules and their states (see docs/alerting.md).",
        subcommands = {AlertsCommand.ListCommand.class})
final class AlertsCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "list", mixinStandardHelpOptions = true, versionProvider = BklogCommand.Version.class,
            description = "List the alert rules: id, space, name, state, condition, every/window, channels.")
    static final class ListCommand implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        OpsOptions options;

        @Option(names = "--space", description = "only the rules of this space (default: every space)")
        String space;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            return options.runOnPlatform(spec, platform -> {
                out.printf("%-6s %-12s %-28s %-9s %-30s %-12s %s%n", "ID", "SPACE", "NAME", "STATE", "CONDITION",
                        "EVERY/WIN", "CHANNELS");
                int n = 0;
                for (AlertService.RuleStatus s : platform.alerts().statuses(space)) {
                    AlertRule r = s.rule();
                    RuleState st = s.state();
                    String cond = r.condition().type() + " " + r.condition().threshold()
                            + (r.condition().field() != null ? " " + r.condition().field() : "");
                    out.printf("%-6d %-12s %-28s %-9s %-30s %-12s %s%n", r.id(), r.space(), r.name(),
                            !r.enabled() ? "disabled" : st == null ? "-" : st.state().wireName(), cond,
                            r.every().toSeconds() + "s/" + r.window().toSeconds() + "s", String.join(",", r.channels()));
                    n++;
                }
                out.println(n + " alert rules");
                return 0;
            });
        }
    }
}
