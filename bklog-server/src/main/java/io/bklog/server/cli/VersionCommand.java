package io.bklog.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bklog version}. */
@Command(name = "version", mixinStandardHelpOptions = true,
        versionProvider = BklogCommand.Version.class, description = "Print the version of bklog and of the JVM.")
final class VersionCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().getOut().println(new BklogCommand.Version().getVersion()[0]);
    }
}
