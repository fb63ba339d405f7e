package io.bklog.server.cli;

import io.bklog.core.ingest.DeadLetterService;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * {@code bklog dead-letters list INDEX_SET} and {@code bklog dead-letters replay INDEX_SET}: the documents the store
 * refused, with the reason, and sending them again once the mapping or the values are fixed. They open the platform
 * of the config / data dir themselves; with the embedded store, stop the server first or use the HTTP API
 * ({@code /api/v1/index_sets/{name}/dead_letters}).
 */
@Command(name = "dead-letters", mixinStandardHelpOptions = true, versionProvider = BklogCommand.Version.class,
        description = "List or replay the documents the store refused (see docs/ingest.md).",
        subcommands = {DeadLettersCommand.ListCommand.class, DeadLettersCommand.ReplayCommand.class})
final class DeadLettersCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "list", mixinStandardHelpOptions = true, versionProvider = BklogCommand.Version.class,
            description = "List the dead letters of an index set, newest first: time, reason, document.")
    static final class ListCommand implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        OpsOptions options;

        @Parameters(paramLabel = "INDEX_SET", description = "the index set the documents were going to")
        String indexSet;

        @Option(names = "--size", defaultValue = "50", description = "at most this many (default ${DEFAULT-VALUE})")
        int size;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            return options.runOnPlatform(spec, platform -> {
                platform.indexSets().get(indexSet); // an unknown name: one line naming it, exit 2
                DeadLetterService.Page page = platform.deadLetters().list(indexSet, 0, size);
                out.printf("%-24s %-32s %s%n", "TIME", "DOC_ID", "REASON / DOCUMENT");
                for (DeadLetterService.DeadLetter d : page.items()) {
                    out.printf("%-24s %-32s %s%n", d.time(), d.docId(), d.reason());
                    out.printf("%-24s %-32s %s%n", "", "", d.original());
                }
                out.println(page.total() + " dead letters waiting in " + indexSet);
                return 0;
            });
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true, versionProvider = BklogCommand.Version.class,
            description = "Send the dead letters of an index set again; those refused again stay, with the reason.")
    static final class ReplayCommand implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        OpsOptions options;

        @Parameters(paramLabel = "INDEX_SET", description = "the index set the documents were going to")
        String indexSet;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            return options.runOnPlatform(spec, platform -> {
                platform.indexSets().get(indexSet);
                DeadLetterService.Replay r = platform.deadLetters().replay(indexSet);
                out.println("replayed " + r.replayed() + " dead letters of " + indexSet + ": " + r.stored()
                        + " stored, " + r.rejected() + " refused again, " + r.retryable() + " to retry");
                r.items().stream().filter(i -> i.status() != io.bklog.spi.BulkResult.Status.OK)
                        .forEach(i -> out.println("  " + i.id() + ": " + i.reason()));
                return r.rejected() + r.retryable() == 0 ? 0 : 1;
            });
        }
    }
}
