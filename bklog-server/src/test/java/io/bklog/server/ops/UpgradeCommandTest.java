package io.bklog.server.ops;

import io.bklog.core.LogPlatform;
import io.bklog.core.indexset.IndexSetService;
import io.bklog.core.meta.IndexSet;
import io.bklog.core.meta.MetadataConfig;
import io.bklog.core.meta.MetadataStore;
import io.bklog.core.meta.Space;
import io.bklog.server.cli.BklogCommand;
import io.bklog.spi.Backend;
import io.bklog.spi.BackendConfig;
import io.bklog.spi.LogDocument;
import io.bklog.spi.LogStore;
import io.bklog.spi.SearchRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code bklog upgrade} of an embedded data dir made by schema V1, on the Lucene default. */
class UpgradeCommandTest {
    @TempDir
    Path dataDir;

    @Test
    void upgradesV1DataDirFromTheCommandLineKeepingEveryDocument() throws Exception {
        try (MetadataStore meta = MetadataStore.open(MetadataConfig.embedded(dataDir));
             Backend lucene = LogPlatform.builder().providers().get("lucene").create(BackendConfig.of(Map.of(), dataDir))) {
            meta.migrateTo("1");
            meta.spaces().create(Space.of("default", "Default space"));
            // the row as version 1 of bklog wrote it (today's repository writes columns V1 does not have)
            IndexSet set = IndexSet.of("legacy", "default", IndexSetService.DEFAULT_FIELDS);
            meta.jdbi().useHandle(h -> h.createUpdate("INSERT INTO index_sets (name, space_uid, time_field, fields,"
                    + " created_at, updated_at) VALUES ('legacy', 'default', :time, :fields, :now, :now)")
                    .bind("time", set.timeField())
                    .bind("fields", "[" + String.join(",", set.fields().stream().map(f -> "{\"name\":\"" + f.name()
                            + "\",\"type\":\"" + f.type().wireName() + "\"}").toList()) + "]")
                    .bind("now", java.sql.Timestamp.from(Instant.parse("2026-01-01T00:00:00Z"))).execute());
            LogStore store = lucene.logStore().orElseThrow();
            store.ensureIndexSet(set.schema());
            List<LogDocument> docs = new ArrayList<>();
            Instant now = Instant.now();
            for (int i = 0; i < 120; i++) docs.add(new LogDocument("l" + i, now.minusSeconds(900L * i), Map.of("log", "old " + i)));
            store.index("legacy", docs);
            store.refresh("legacy");
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = BklogCommand.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));

        int exit = cmd.execute("upgrade", "--data-dir", dataDir.toString());

        assertThat(exit).as(err.toString()).isZero();
        assertThat(err.toString()).as("progress goes to stderr").contains("[100%]");
        assertThat(out.toString()).contains("upgraded schema 1 -> ").contains("legacy=120");
        try (LogPlatform p = LogPlatform.builder().dataDir(dataDir).migrateOnStart(false).build()) {
            assertThat(p.internals().metadata().isSchemaCurrent()).isTrue();
            assertThat(p.internals().store().search(SearchRequest.builder("legacy").size(0).build()).total()).isEqualTo(120);
        }
    }
}
