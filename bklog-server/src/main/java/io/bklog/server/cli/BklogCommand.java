package io.bklog.server.cli;

import io.bklog.core.BklogException;
import io.bklog.core.meta.MetadataException;
import io.bklog.server.config.ConfigException;
import io.javalin.util.JavalinBindException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** {@code bklog}: the command line of the server jar. */
@Command(name = "bklog", mixinStandardHelpOptions = true, versionProvider = BklogCommand.Version.class,
        description = "bklog-java: a log platform you embed as a library or run as a server.",
        subcommands = {ServeCommand.class, MigrateCommand.class, HealthzCommand.class, VersionCommand.class,
                BackupCommand.class, RestoreCommand.class, UpgradeCommand.class, DeadLettersCommand.class,
                ConfigCommand.class, AgentCommand.class,
                AlertsCommand.class,
                CommandLine.HelpCommand.class})
public final class BklogCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with bklog's error handling: config and input errors print one line and exit 2. */
    public static CommandLine commandLine() {
        return new CommandLine(new BklogCommand()).setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof ConfigException || e instanceof BklogException || e instanceof MetadataException) {
                cmd.getErr().println("bklog: " + e.getMessage());
                return 2;
            }
            if (e instanceof JavalinBindException) {
                cmd.getErr().println("bklog: cannot listen: " + e.getMessage() + "; stop the other process or choose"
                        + " another port (--port, BKLOG_SERVER_PORT)");
                return 2;
            }
            throw e;
        });
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The version of this build, from the jar. */
    public static String version() {
        try (InputStream in = BklogCommand.class.getResourceAsStream("/io/bklog/server/version.properties")) {
            Properties p = new Properties();
            if (in != null) p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"bklog " + version() + " (java " + System.getProperty("java.version") + ")"};
        }
    }
}
