package io.bklog.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/config.md cannot drift from the config classes: every key of {@link BklogConfig} (as {@link ConfigLoader}
 * reads it) has a row in the key table naming its {@code BKLOG_*} variable, and every key the table names exists.
 */
class ConfigDocsTest {
    private static final Path DOC = Path.of("..", "docs", "config.md");
    private static final Pattern KEY = Pattern.compile("`([a-z_][a-z0-9_.<>]*)`");

    /** First cell of each row of the key table → the whole row. */
    private static Map<String, String> rows() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        boolean inTable = false; // the key table (header "| key | env |"); other tables list store settings
        for (String line : Files.readAllLines(DOC)) {
            if (line.startsWith("| key | env |")) inTable = true;
            else if (!line.startsWith("|")) inTable = false;
            if (!inTable || !line.startsWith("| `")) continue;
            String first = line.substring(1, line.indexOf('|', 1));
            Matcher m = KEY.matcher(first);
            while (m.find()) out.put(m.group(1), line);
        }
        return out;
    }

    @Test
    void everyConfigKeyIsDocumentedWithItsEnvironmentVariable() throws IOException {
        Map<String, String> rows = rows();
        assertThat(rows).as("rows of the key table").hasSizeGreaterThan(30);
        List<String> missing = new ArrayList<>();
        ConfigLoader.environmentVariables().forEach((key, env) -> {
            String row = rows.get(key);
            if (row == null || !row.contains("`" + env + "`")) missing.add(key + " (" + env + ")");
        });
        assertThat(missing).as("keys of the config classes without a row naming their variable in " + DOC).isEmpty();
    }

    @Test
    void theKeyTableIsWhatTheGeneratorWritesFromTheConfigClasses() throws IOException {
        String doc = Files.readString(DOC);
        String generated = ConfigDocsGenerator.regenerate(doc);
        if (!generated.equals(doc) && Boolean.getBoolean("bklog.docs.write")) {
            Files.writeString(DOC, generated);
            doc = generated;
        }
        assertThat(doc).as(DOC + " is not what the config classes give; regenerate it with\n  "
                + ConfigDocsGenerator.COMMAND + "\nthen fill in the default and meaning of any new row")
                .isEqualTo(generated);
        assertThat(doc).as("a generated row still needs its meaning").doesNotContain("(describe ");
    }

    @Test
    void theGeneratorAddsANewKeyFromItsRecordAndDropsAKeyThatIsGone() throws IOException {
        String doc = Files.readString(DOC);
        String without = doc.replaceAll("(?m)^\\| `export\\.threads` \\|.*\n", "")
                .replace("| `server.port` |", "| `server.gone_key` | `BKLOG_SERVER_GONE_KEY` | x | y |\n| `server.port` |")
                .replace("`BKLOG_SERVER_HOST`", "`BKLOG_SERVER_HOSTNAME`");

        String regenerated = ConfigDocsGenerator.regenerate(without);

        assertThat(regenerated).doesNotContain("server.gone_key").contains("`BKLOG_SERVER_HOST`")
                .doesNotContain("BKLOG_SERVER_HOSTNAME")
                .contains("| `export.threads` | `BKLOG_EXPORT_THREADS` | `2` | exports running at the same time; "
                        + "default 2 |");
    }

    @Test
    void everyDocumentedKeyExists() throws IOException {
        JsonNode defaults = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .valueToTree(BklogConfig.defaults());
        List<String> unknown = new ArrayList<>();
        for (String key : rows().keySet()) {
            String known = key.contains("<") ? key.substring(0, key.indexOf('<')).replaceAll("\\.$", "") : key;
            if (known.startsWith("backends")) continue; // a map at the top: backends.<name>.<key>
            if (defaults.at("/" + known.replace('.', '/')).isMissingNode()) unknown.add(key);
        }
        assertThat(unknown).as("keys in " + DOC + " the config classes do not have").isEmpty();
    }
}
