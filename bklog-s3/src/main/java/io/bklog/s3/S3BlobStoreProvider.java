package io.bklog.s3;

import io.bklog.spi.BackendConfig;
import io.bklog.spi.BlobStore;
import io.bklog.spi.BlobStoreProvider;

import java.net.URI;
import java.util.List;

/**
 * {@code s3}: settings {@code bucket} (required), {@code prefix}, {@code endpoint}, {@code region},
 * {@code access_key} + {@code secret_key} (secrets: from a file or the environment, see docs/config.md; default the
 * AWS credentials chain), {@code path_style}, {@code part_size} (bytes), {@code timeout}, {@code max_attempts},
 * {@code sse} ({@code AES256} = SSE-S3, {@code aws:kms} = SSE-KMS, default none) and {@code sse_kms_key_id}.
 */
public final class S3BlobStoreProvider implements BlobStoreProvider {
    public static final List<String> SETTINGS = List.of("bucket", "prefix", "endpoint", "region", "access_key",
            "secret_key", "path_style", "part_size", "timeout", "max_attempts", "sse", "sse_kms_key_id");

    @Override
    public String name() {
        return "s3";
    }

    @Override
    public BlobStore create(BackendConfig config) {
        config.refuseUnknownKeys("s3", SETTINGS);
        S3BlobStore.Builder b = S3BlobStore.builder().bucket(config.require("bucket"))
                .prefix(config.get("prefix", ""));
        config.get("endpoint").ifPresent(e -> BackendConfig.named("endpoint", () -> b.endpoint(URI.create(e))));
        config.get("region").ifPresent(b::region);
        if (config.get("access_key").isPresent() || config.get("secret_key").isPresent()) {
            b.credentials(config.get("access_key").orElse(null), config.get("secret_key").orElse(null));
        }
        config.get("path_style").ifPresent(p -> b.pathStyle(Boolean.parseBoolean(p)));
        if (config.get("part_size").isPresent()) {
            long size = config.getLong("part_size", 0);
            BackendConfig.named("part_size", () -> b.partSize(size));
        }
        String sse = config.get("sse", "");
        String kmsKey = config.get("sse_kms_key_id", "");
        BackendConfig.named("sse", () -> b.serverSideEncryption(sse, kmsKey));
        b.timeout(config.getDuration("timeout", java.time.Duration.ofMinutes(5)));
        int attempts = config.getInt("max_attempts", 3);
        BackendConfig.named("max_attempts", () -> b.maxAttempts(attempts));
        return BackendConfig.named("bucket", b::build);
    }
}
