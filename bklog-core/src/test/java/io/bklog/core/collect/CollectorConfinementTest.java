package io.bklog.core.collect;

import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.spi.source.SourceLine;
import io.bklog.core.ingest.source.FileTailer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Collector paths and ports stay within what the server allows (issue 14). */
class CollectorConfinementTest {
    @TempDir
    Path root;
    @TempDir
    Path outside;
    @TempDir
    Path dataDir;

    private CollectorConfinement confined() {
        return CollectorConfinement.of(List.of(root.toString()), List.of(dataDir), "514,1024-65535");
    }

    private static ErrorCode refusal(Runnable r) {
        try {
            r.run();
        } catch (BklogException e) {
            return e.code();
        }
        return null;
    }

    @Test
    void globsUnderTheAllowedRootPassAndOthersAreRefusedNamingPathAndRule() {
        CollectorConfinement c = confined();
        c.checkGlob(root + "/*.log", "paths[0]");
        c.checkGlob(root + "/app/**/*.log", "paths[0]");
        c.checkGlob(root + "/app.log", "paths[0]");
        assertThatThrownBy(() -> c.checkGlob("/etc/passwd", "source_params.paths[0]"))
                .isInstanceOfSatisfying(BklogException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.COLLECTOR_PATH_NOT_ALLOWED);
                    assertThat(e.field()).contains("source_params.paths[0]");
                    assertThat(e.details()).containsEntry("path", "/etc/passwd");
                    assertThat(e.getMessage()).contains("/etc/passwd").contains("collectors.file.allowed_paths");
                });
        assertThat(refusal(() -> c.checkGlob(outside + "/*.log", "p"))).isEqualTo(ErrorCode.COLLECTOR_PATH_NOT_ALLOWED);
        assertThat(refusal(() -> c.checkGlob(root + "/../" + outside.getFileName() + "/x.log", "p")))
                .isEqualTo(ErrorCode.COLLECTOR_PATH_NOT_ALLOWED);
        assertThat(refusal(() -> c.checkGlob("/*/passwd", "p"))).isEqualTo(ErrorCode.COLLECTOR_PATH_NOT_ALLOWED);
    }

    @Test
    void theDataDirIsNeverAllowedWhateverTheAllowList() {
        CollectorConfinement c = CollectorConfinement.of(List.of("/**"), List.of(dataDir), null);
        c.checkGlob("/var/log/*.log", "p");
        assertThatThrownBy(() -> c.checkGlob(dataDir.resolve("admin-token").toString(), "p"))
                .isInstanceOfSatisfying(BklogException.class, e -> assertThat(e.getMessage()).contains("never under"));
        assertThat(refusal(() -> c.checkGlob(dataDir + "/**", "p"))).isEqualTo(ErrorCode.COLLECTOR_PATH_NOT_ALLOWED);
        assertThat(CollectorConfinement.unconfined(List.of(dataDir)).checkFile(dataDir)).isPresent();
    }

    @Test
    void aSymlinkedDirectoryUnderTheRootPointingOutsideIsRefusedOnSave() throws Exception {
        Files.createSymbolicLink(root.resolve("escape"), outside);
        assertThat(refusal(() -> confined().checkGlob(root + "/escape/*.log", "p")))
                .isEqualTo(ErrorCode.COLLECTOR_PATH_NOT_ALLOWED);
    }

    @Test
    void portsOutsideTheAllowListAreRefused() {
        CollectorConfinement c = confined();
        c.checkPort(514, "p");
        c.checkPort(5514, "p");
        c.checkPort(0, "p");
        assertThatThrownBy(() -> c.checkPort(80, "source_params.syslog_port"))
                .isInstanceOfSatisfying(BklogException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.COLLECTOR_PORT_NOT_ALLOWED);
                    assertThat(e.getMessage()).contains("80").contains("collectors.syslog.allowed_ports");
                });
        assertThat(refusal(() -> CollectorConfinement.of(null, List.of(), "514").checkPort(0, "p")))
                .isEqualTo(ErrorCode.COLLECTOR_PORT_NOT_ALLOWED);
        assertThatThrownBy(() -> CollectorConfinement.of(null, List.of(), "70000"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("70000");
    }

    @Test
    void theTailerNeverReadsASymlinkUnderTheAllowedRootThatPointsOutside() throws Exception {
        Path secret = outside.resolve("shadow");
        Files.writeString(secret, "root:$6$secret-hash:19000:0:99999:7:::\n");
        Files.createSymbolicLink(root.resolve("shadow.log"), secret);
        Files.createSymbolicLink(root.resolve("token.log"), dataDir.resolve("admin-token"));
        Files.writeString(dataDir.resolve("admin-token"), "bk-admin-secret\n");
        Files.writeString(root.resolve("app.log"), "an allowed line\n");
        CollectorConfinement c = confined();
        assertThat(c.checkFile(root.resolve("shadow.log"))).get().asString().contains(secret.toString());
        assertThat(c.checkFile(root.resolve("app.log"))).isEmpty();

        List<SourceLine> got = new ArrayList<>();
        try (FileTailer t = FileTailer.builder(got::addAll).paths(List.of(root + "/*.log")).tailFiles(false)
                .fileGuard(c::checkFile).build()) {
            t.poll();
            Files.writeString(secret, "root:more\n", java.nio.file.StandardOpenOption.APPEND);
            t.poll();
            assertThat(t.positions()).extracting(FileTailer.FilePosition::path)
                    .containsExactly(root.resolve("app.log").toString());
        }
        assertThat(got).extracting(SourceLine::text).containsExactly("an allowed line");
    }
}
