package io.bklog.core;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ErrorCodeCatalogueTest {

    @Test
    void everyErrorCodeIsListedInDocsErrorsWithItsHttpStatus() throws IOException {
        Path doc = Path.of("..", "docs", "errors.md");
        assertThat(doc).as("docs/errors.md at the repository root").exists();
        String text = Files.readString(doc);
        for (ErrorCode c : ErrorCode.values()) {
            assertThat(text).as("docs/errors.md row for %s", c)
                    .contains("| `" + c.code() + "` | " + c.httpStatus() + " |");
        }
    }

    @Test
    void codesAreUniqueLowerSnakeCaseAndEveryOneSaysCauseAndRemedy() {
        List<String> codes = Arrays.stream(ErrorCode.values()).map(ErrorCode::code).toList();
        assertThat(new HashSet<>(codes)).hasSameSizeAs(codes);
        assertThat(codes).allMatch(c -> c.matches("[a-z][a-z_]*"));
        assertThat(ErrorCode.values()).allSatisfy(c -> {
            assertThat(c.cause()).isNotBlank();
            assertThat(c.remedy()).isNotBlank();
        });
    }
}
