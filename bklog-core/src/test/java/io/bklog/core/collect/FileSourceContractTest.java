package io.bklog.core.collect;

import io.bklog.spi.source.SourceFactory;
import io.bklog.testkit.source.ReplayableSourceContract;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/** The built-in {@code file} source passes the source contract: offsets checkpointed once stored. */
class FileSourceContractTest extends ReplayableSourceContract {
    @TempDir
    Path dir;
    private FileSourceFactory factory;

    @Override
    protected SourceFactory factory() {
        if (factory == null) factory = new FileSourceFactory(dir.resolve("checkpoints"), Clock.systemUTC());
        return factory;
    }

    @Override
    protected Map<String, Object> newSettings() throws Exception {
        Files.createDirectories(dir.resolve("logs"));
        return Map.of("paths", List.of(dir.resolve("logs") + "/*.log"), "tail_files", false);
    }

    @Override
    protected void produce(Map<String, Object> settings, List<String> lines) throws Exception {
        Files.writeString(dir.resolve("logs/app.log"), String.join("\n", lines) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Override
    protected Map<String, Object> badSettings() {
        return Map.of("paths", List.of("relative/*.log"));
    }

    @Override
    protected String badSettingKey() {
        return "paths[0]";
    }
}
