package io.bklog.s3;

import io.bklog.spi.BackendConfig;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The {@code sse} / {@code sse_kms_key_id} settings: every upload asks for the encryption (s3proxy does not honour
 * it, so the requests are checked as built and as sent, stopped before they leave the JVM).
 */
class S3ServerSideEncryptionTest {

    /** Records the headers of each request and stops it before it is sent. */
    private static final class Recorder implements ExecutionInterceptor {
        final List<Map<String, List<String>>> headers = new ArrayList<>();

        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            headers.add(context.httpRequest().headers());
            throw new IllegalStateException("stopped by the test");
        }
    }

    private static S3BlobStore.Builder builder() {
        return S3BlobStore.builder().endpoint(URI.create("http://127.0.0.1:9")).bucket("b").prefix("p")
                .credentials("a", "s").maxAttempts(1);
    }

    @Test
    void sseS3IsAskedForOnASingleUploadAndOnAMultipartUpload() {
        Recorder recorder = new Recorder();
        try (S3BlobStore store = builder().serverSideEncryption("AES256", null).interceptor(recorder).build()) {
            assertThat(store.putRequest("p/k", new byte[] {1}).serverSideEncryption())
                    .isEqualTo(ServerSideEncryption.AES256);
            assertThat(store.multipartRequest("p/k").serverSideEncryption()).isEqualTo(ServerSideEncryption.AES256);
            assertThat(store.multipartRequest("p/k").ssekmsKeyId()).isNull();

            assertThatThrownBy(() -> store.put("k", new byte[] {1, 2, 3})).hasMessageContaining("stopped by the test");
            assertThat(recorder.headers).hasSize(1);
            assertThat(recorder.headers.get(0)).containsEntry("x-amz-server-side-encryption", List.of("AES256"))
                    .containsKey("Content-MD5");
        }
    }

    @Test
    void sseKmsCarriesTheKeyIdOnEveryUpload() {
        Recorder recorder = new Recorder();
        try (S3BlobStore store = builder().serverSideEncryption("aws:kms", "arn:aws:kms:eu-west-1:1:key/abc")
                .interceptor(recorder).build()) {
            assertThat(store.multipartRequest("p/k").serverSideEncryption()).isEqualTo(ServerSideEncryption.AWS_KMS);
            assertThat(store.multipartRequest("p/k").ssekmsKeyId()).isEqualTo("arn:aws:kms:eu-west-1:1:key/abc");

            assertThatThrownBy(() -> store.put("k", new byte[] {1})).hasMessageContaining("stopped by the test");
            assertThat(recorder.headers.get(0))
                    .containsEntry("x-amz-server-side-encryption", List.of("aws:kms"))
                    .containsEntry("x-amz-server-side-encryption-aws-kms-key-id",
                            List.of("arn:aws:kms:eu-west-1:1:key/abc"));
        }
    }

    @Test
    void withoutTheSettingNoEncryptionHeaderIsSent() {
        Recorder recorder = new Recorder();
        try (S3BlobStore store = builder().interceptor(recorder).build()) {
            assertThat(store.putRequest("p/k", new byte[0]).serverSideEncryption()).isNull();
            assertThatThrownBy(() -> store.put("k", new byte[] {1})).hasMessageContaining("stopped by the test");
            assertThat(recorder.headers.get(0)).doesNotContainKey("x-amz-server-side-encryption");
        }
    }

    @Test
    void theProviderReadsTheSettingsAndRefusesBadOnesNamingThem() {
        S3BlobStoreProvider provider = new S3BlobStoreProvider();
        Map<String, String> base = Map.of("bucket", "b", "endpoint", "http://127.0.0.1:9", "access_key", "a",
                "secret_key", "s");
        try (var store = (S3BlobStore) provider.create(BackendConfig.of(with(base, "sse", "aws:kms",
                "sse_kms_key_id", "key-1"), null))) {
            assertThat(store.multipartRequest("k").ssekmsKeyId()).isEqualTo("key-1");
        }
        assertThatThrownBy(() -> provider.create(BackendConfig.of(with(base, "sse", "rot13"), null)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'sse'")
                .hasMessageContaining("AES256").hasMessageContaining("aws:kms");
        assertThatThrownBy(() -> provider.create(BackendConfig.of(with(base, "sse", "AES256",
                "sse_kms_key_id", "key-1"), null)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'sse_kms_key_id' needs");
    }

    private static Map<String, String> with(Map<String, String> base, String... kv) {
        Map<String, String> out = new java.util.HashMap<>(base);
        for (int i = 0; i < kv.length; i += 2) out.put(kv[i], kv[i + 1]);
        return out;
    }
}
