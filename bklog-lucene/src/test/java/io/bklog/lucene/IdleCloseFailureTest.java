package io.bklog.lucene;

import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.Field;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** An idle close whose commit fails keeps the index open: the store's commit then fails and keeps the log. */
class IdleCloseFailureTest {
    @TempDir
    Path dir;

    @Test
    void aFailedIdleCloseKeepsTheIndexOpenSoItsLinesAreNotForgotten() throws IOException {
        Path path = dir.resolve("ix");
        PhysicalIndex idx = PhysicalIndex.open("ix", path, new StandardAnalyzer(), 16, null,
                PhysicalIndex.OpenListener.NONE, false);
        PhysicalIndex.Lucene lucene = idx.use();
        Document d = new Document();
        d.add(new StringField("_id", "a", Field.Store.NO));
        lucene.writer.addDocument(d);
        idx.done();
        deleteTree(path); // the commit cannot write its files

        assertThatThrownBy(() -> idx.closeIfIdle(Long.MAX_VALUE, 0)).isInstanceOf(IOException.class);
        assertThat(idx.isOpen()).as("still open, so the store's commit sees it and keeps the log").isTrue();
        assertThat(idx.ifOpen().writer.getTragicException()).isNotNull();
        try {
            idx.close();
        } catch (IOException | RuntimeException ignored) {
            // the directory is gone
        }
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(f);
        }
    }
}
