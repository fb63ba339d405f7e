package io.bklog.core.search;

import io.bklog.core.LogPlatform;
import io.bklog.core.indexset.IndexSetSpec;
import io.bklog.core.mask.MaskRules;
import io.bklog.core.mask.Masker;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ExportServiceTest {
    private final LogPlatform platform = LogPlatform.builder().build();
    private final ExportService export = new ExportService(platform.indexSets(), platform.search(), platform.internals().store());

    @AfterEach
    void close() {
        platform.close();
    }

    @Test
    void exportsEveryMatchAcrossPagesMaskedAsCsvAndJsonLines() {
        platform.indexSets().create("app", IndexSetSpec.defaults());
        List<Map<String, Object>> docs = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            docs.add(Map.of("log", "user 138" + String.format("%08d", i) + ", done \"ok\"", "serverIp", "10.0.0.1",
                    "dtEventTimeStamp", 1_700_000_000_000L + i, "gseIndex", i));
        }
        platform.ingest().ingest("app", docs, true);
        Masker m = new Masker(Map.of("log", List.of(MaskRules.compile("phone", "mask_shield",
                new ObjectMapper().createObjectNode().put("preserve_head", 3).put("preserve_tail", 2),
                "1[3-9]\\d{9}", 0))), Set.of());

        ByteArrayOutputStream csv = new ByteArrayOutputStream();
        assertThat(export.export("app", SearchParams.of("user"), ExportService.Format.CSV, m, csv)).isEqualTo(2500);
        List<String> lines = csv.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(2501);
        assertThat(lines.get(0).split(",")).contains("dtEventTimeStamp", "log", "serverIp");
        assertThat(lines.get(1)).contains("\"user 138******99, done \"\"ok\"\"\"");
        assertThat(lines).noneMatch(l -> l.matches(".*138\\d{8}.*"));

        ByteArrayOutputStream jsonl = new ByteArrayOutputStream();
        assertThat(export.export("app", SearchParams.of("*"), ExportService.Format.JSONL, m, jsonl)).isEqualTo(2500);
        assertThat(jsonl.toString(StandardCharsets.UTF_8).lines().distinct().count()).isEqualTo(2500);
    }

    @Test
    void csvCellsThatASpreadsheetWouldRunAreNeutralised() {
        platform.indexSets().create("app", IndexSetSpec.defaults());
        platform.ingest().ingest("app", List.of(
                Map.of("log", "=HYPERLINK(\"http://evil\",\"x\")", "serverIp", "+cmd|' /C calc'!A0", "gseIndex", -5,
                        "dtEventTimeStamp", 1_700_000_000_000L)), true);
        ByteArrayOutputStream csv = new ByteArrayOutputStream();
        export.export("app", SearchParams.of("*"), ExportService.Format.CSV, new Masker(Map.of(), Set.of()), csv);
        String row = csv.toString(StandardCharsets.UTF_8).lines().skip(1).findFirst().orElseThrow();
        assertThat(row).contains("\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\"").contains("'+cmd|")
                .contains(",-5,").doesNotContain(",=").doesNotContain(",+");
    }
}
