package io.bklog.server.cli;

import io.bklog.core.ops.BackupService;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code bklog restore ID}: restores a backup into an empty platform (verified first). */
@Command(name = "restore", mixinStandardHelpOptions = true,
        versionProvider = BklogCommand.Version.class, description = "Restore a backup into an empty platform (it is verified first).")
final class RestoreCommand implements Callable<Integer> {
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
            BackupService.RestoreResult r = ops.backups().restore(id, OpsOptions.progress(spec));
            out.println("restored backup " + id + ": " + r.indices().size() + " indices, " + r.docCount()
                    + " docs, " + r.metadataRows() + " metadata rows (schema " + r.schemaVersion() + ")");
            return 0;
        });
    }
}
