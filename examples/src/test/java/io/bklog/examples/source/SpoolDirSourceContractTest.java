package io.bklog.examples.source;

import io.bklog.spi.source.SourceFactory;
import io.bklog.testkit.source.ReplayableSourceContract;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/** The third-party {@code spooldir} source passes the same contract as the built-in sources. */
class SpoolDirSourceContractTest extends ReplayableSourceContract {
    @TempDir
    Path dir;
    private int files;

    @Override
    protected SourceFactory factory() {
        return new SpoolDirSourceFactory();
    }

    @Override
    protected Map<String, Object> newSettings() {
        return Map.of("directory", dir.toString(), "poll_interval_ms", 20);
    }

    /** Each call drops one complete file into the directory (written aside, then moved in). */
    @Override
    protected void produce(Map<String, Object> settings, List<String> lines) throws Exception {
        Path aside = Files.createTempFile(dir.getParent(), "spool", ".part");
        Files.writeString(aside, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        Files.move(aside, dir.resolve(String.format("%04d.txt", ++files)), StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    protected Map<String, Object> badSettings() {
        return Map.of("directory", "relative/dir");
    }

    @Override
    protected String badSettingKey() {
        return "directory";
    }
}
