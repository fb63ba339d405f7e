package io.bklog.s3;

import io.bklog.spi.BackendException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link S3BlobStore} against a real S3-compatible server (s3proxy, filesystem backend). */
class S3BlobStoreIT {
    private final S3ProxyFixture s3 = S3ProxyFixture.get();
    private final String prefix = "it-" + UUID.randomUUID();
    @TempDir
    Path tmp;

    private Path file(int bytes, long seed) throws IOException {
        byte[] b = new byte[bytes];
        new Random(seed).nextBytes(b);
        return Files.write(tmp.resolve("f-" + seed), b);
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private static byte[] read(S3BlobStore store, String key) throws IOException {
        try (InputStream in = store.open(key).orElseThrow()) {
            return in.readAllBytes();
        }
    }

    @Test
    void putsReadsListsAndDeletesSmallAndMultipartBlobsWithTheirChecksums() throws Exception {
        try (S3BlobStore store = s3.store(prefix)) {
            store.verify();
            Path big = file(12 * 1024 * 1024, 1); // 3 parts of 5 MiB
            byte[] small = "hello".getBytes();

            assertThat(store.put("b/big.bin", big)).isEqualTo(sha256(Files.readAllBytes(big)));
            assertThat(store.put("a/small.txt", small)).isEqualTo(sha256(small));

            assertThat(store.list("")).containsExactly("a/small.txt", "b/big.bin");
            assertThat(store.list("b/")).containsExactly("b/big.bin");
            assertThat(store.size("b/big.bin")).contains(Files.size(big));
            assertThat(read(store, "b/big.bin")).isEqualTo(Files.readAllBytes(big));
            assertThat(store.open("nope")).isEmpty();
            assertThat(store.size("nope")).isEmpty();

            store.delete("b/big.bin");
            store.delete("b/big.bin");
            assertThat(store.list("")).containsExactly("a/small.txt");
        }
    }

    @Test
    void anUploadInterruptedByTheServerStoppingResumesKeepingThePartsAlreadyStored() throws Exception {
        Path big = file(14 * 1024 * 1024, 2); // parts 1..3
        try (S3BlobStore store = s3.store(prefix)) {
            store.onPartUploaded(n -> {
                if (n == 1) s3.stop();
            });
            assertThatThrownBy(() -> store.put("big.bin", big)).isInstanceOf(BackendException.class)
                    .hasMessageContaining("upload part 2/3").hasMessageContaining("is the server up");
        } finally {
            s3.start();
        }
        try (S3BlobStore store = s3.store(prefix)) {
            assertThat(store.size("big.bin")).as("an unfinished upload is not an object").isEmpty();
            assertThat(store.list("")).isEmpty();
            AtomicInteger uploaded = new AtomicInteger();
            store.onPartUploaded(n -> uploaded.incrementAndGet());

            String sum = store.put("big.bin", big);

            assertThat(uploaded).as("part 1 was kept").hasValue(2);
            assertThat(sum).isEqualTo(sha256(Files.readAllBytes(big)));
            assertThat(read(store, "big.bin")).isEqualTo(Files.readAllBytes(big));
        }
    }

    @Test
    void wrongCredentialsFailWithAClearErrorAndWriteNothing() throws Exception {
        try (S3BlobStore wrong = s3.store(prefix, "not-the-secret")) {
            assertThatThrownBy(wrong::verify).isInstanceOf(BackendException.class)
                    .hasMessageContaining("HTTP 403").hasMessageContaining("credentials were refused")
                    .satisfies(e -> assertThat(((BackendException) e).retryable()).isFalse());
            assertThatThrownBy(() -> wrong.list("")).hasMessageContaining("credentials were refused");
        }
        try (S3BlobStore store = s3.store(prefix)) {
            assertThat(store.list("")).isEmpty();
        }
    }
}
