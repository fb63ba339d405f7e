package io.bklog.server.cli;

import io.bklog.core.ops.BackupManifest;
import io.bklog.core.ops.BackupService;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code bklog backup --full|--incremental}, {@code bklog backup list}, {@code bklog backup verify ID}. */
@Command(name = "backup", mixinStandardHelpOptions = true,
        versionProvider = BklogCommand.Version.class, description = "Back up indices and metadata (see docs/operations.md).",
        subcommands = {BackupCommand.ListCommand.class, BackupCommand.VerifyCommand.class,
                BackupCommand.ResumeCommand.class, BackupCommand.PruneCommand.class})
final class BackupCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    OpsOptions options;

    @CommandLine.ArgGroup(exclusive = true, multiplicity = "0..1")
    Kind kind;

    static final class Kind {
        @Option(names = "--full", required = true, description = "snapshot every index and dump the metadata")
        boolean full;

        @Option(names = "--incremental", required = true,
                description = "snapshot indices changed since the newest backup and dump the metadata")
        boolean incremental;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (kind == null) {
            spec.commandLine().getErr().println("bklog backup: say --full or --incremental (or use `backup list`, "
                    + "`backup verify ID`)");
            return 2;
        }
        return options.run(spec, ops -> {
            BackupService b = ops.backups();
            BackupManifest m = kind.full ? b.full(OpsOptions.progress(spec)) : b.incremental(OpsOptions.progress(spec));
            out.println("backup " + m.id() + " (" + m.kind() + (m.parent() == null ? "" : ", parent " + m.parent())
                    + "): " + m.indices().size() + " indices, " + m.totalDocs() + " docs, in " + b.location() + "/" + m.id());
            return 0;
        });
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
        versionProvider = BklogCommand.Version.class, description = "List the backups in the backup location.")
    static final class ListCommand implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        OpsOptions options;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            return options.run(spec, ops -> {
                out.printf("%-32s %-12s %-32s %-26s %8s %12s%n", "ID", "KIND", "PARENT", "TIME", "INDICES", "DOCS");
                for (BackupManifest m : ops.backups().list()) {
                    out.printf("%-32s %-12s %-32s %-26s %8d %12d%n", m.id(), m.kind(),
                            m.parent() == null ? "-" : m.parent(), m.time(), m.indices().size(), m.totalDocs());
                }
                for (String id : ops.backups().unfinished()) {
                    out.println(id + " (upload unfinished: `bklog backup resume " + id + "`)");
                }
                return 0;
            });
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
        versionProvider = BklogCommand.Version.class, description = "Check a backup's checksums and that its snapshots exist.")
    static final class VerifyCommand implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        OpsOptions options;

        @Parameters(paramLabel = "ID", description = "backup id, see `bklog backup list`")
        String id;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            return options.run(spec, ops -> {
                BackupService.Verification v = ops.backups().verify(id);
                if (v.ok()) {
                    out.println("backup " + id + ": OK");
                    return 0;
                }
                out.println("backup " + id + ": FAILED");
                v.problems().forEach(p -> out.println("  - " + p));
                return 1;
            });
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true, versionProvider = BklogCommand.Version.class,
            description = "Finish the upload of a backup that was interrupted (what was uploaded is kept).")
    static final class ResumeCommand implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        OpsOptions options;

        @Parameters(paramLabel = "ID", description = "backup id, see `bklog backup list`")
        String id;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            return options.run(spec, ops -> {
                BackupManifest m = ops.backups().resume(id, OpsOptions.progress(spec));
                out.println("backup " + m.id() + " uploaded to " + ops.backups().location());
                return 0;
            });
        }
    }

    @Command(name = "prune", mixinStandardHelpOptions = true, versionProvider = BklogCommand.Version.class,
            description = "Delete the backups older than the newest N full ones (with their incremental ones).")
    static final class PruneCommand implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        OpsOptions options;

        @Option(names = "--keep", required = true, paramLabel = "N", description = "full backups to keep (>= 1)")
        int keep;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            return options.run(spec, ops -> {
                var deleted = ops.backups().prune(keep);
                deleted.forEach(id -> out.println("deleted backup " + id));
                out.println(deleted.size() + " backups deleted, " + ops.backups().list().size() + " kept");
                return 0;
            });
        }
    }
}
