package io.bklog.core.ingest;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class LineSanitizerTest {

    @Test
    void truncatesLongLinesAtACharacterBoundaryAndMarksThem() {
        LineSanitizer s = new LineSanitizer(16);
        byte[] b = "aaaaaaaaaaaaaaa\u00e9\u00e9".getBytes(StandardCharsets.UTF_8); // 15 + 2 + 2 bytes
        LineSanitizer.Result r = s.sanitize(b);
        assertThat(r.truncated()).isTrue();
        assertThat(r.invalidUtf8()).isFalse();
        assertThat(r.text()).isEqualTo("aaaaaaaaaaaaaaa");
        LineSanitizer.Result rs = s.sanitize("aaaaaaaaaaaaaa\u00e9\u00e9");
        assertThat(rs.truncated()).isTrue();
        assertThat(rs.text()).isEqualTo("aaaaaaaaaaaaaa\u00e9");
    }

    @Test
    void replacesInvalidUtf8AndMarksIt() {
        LineSanitizer s = new LineSanitizer(LineSanitizer.DEFAULT_MAX_LINE_BYTES);
        LineSanitizer.Result r = s.sanitize(new byte[]{'o', 'k', (byte) 0xC3, (byte) 0x28, 'x'});
        assertThat(r.invalidUtf8()).isTrue();
        assertThat(r.text()).startsWith("ok\uFFFD");
        assertThat(s.sanitize("lone \uD800 surrogate").text()).isEqualTo("lone \uFFFD surrogate");
        assertThat(s.sanitize("fine \uD83D\uDE00").invalidUtf8()).isFalse();
    }
}
