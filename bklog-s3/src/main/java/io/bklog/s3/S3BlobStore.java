package io.bklog.s3;

import io.bklog.spi.BackendException;
import io.bklog.spi.BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.IntConsumer;

/**
 * A {@link BlobStore} in an S3-compatible bucket (AWS S3, MinIO, Ceph RGW, s3proxy) under a key prefix, on the AWS
 * SDK for Java v2 with its URL-connection HTTP client.
 *
 * <p>Integrity: every request body carries its {@code Content-MD5}, which the server checks; the SHA-256 of the whole
 * file is computed while it is read and returned (backups record it in their manifest and {@code verify} reads the
 * blob back to compare). A file of {@link Builder#partSize} or more goes up as a multipart upload; an upload that is
 * interrupted (the server or the network went away) is left open on the server, and the next {@link #put} of the same
 * key keeps every part already there with the same size and MD5 ({@code ETag}), uploads the rest and completes it.
 * Until completed, the object does not exist: a reader never sees a part.
 */
public final class S3BlobStore implements BlobStore {
    private static final Logger LOG = LoggerFactory.getLogger(S3BlobStore.class);
    /** The smallest part S3 accepts (except the last). */
    public static final long MIN_PART_SIZE = 5L * 1024 * 1024;

    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final String endpoint;
    private final long partSize;
    private final ServerSideEncryption sse;
    private final String kmsKeyId;
    private volatile IntConsumer partUploaded = n -> { };

    private S3BlobStore(Builder b, S3Client s3) {
        this.s3 = s3;
        this.bucket = b.bucket;
        this.prefix = b.prefix;
        this.endpoint = b.endpoint == null ? "aws" : b.endpoint.toString();
        this.partSize = b.partSize;
        this.sse = b.sse;
        this.kmsKeyId = b.kmsKeyId;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder; {@link #bucket} is required. */
    public static final class Builder {
        private URI endpoint;
        private String region = "us-east-1";
        private String bucket;
        private String prefix = "";
        private String accessKey;
        private String secretKey;
        private Boolean pathStyle;
        private long partSize = 16L * 1024 * 1024;
        private Duration timeout = Duration.ofMinutes(5);
        private int maxAttempts = 3;
        private ServerSideEncryption sse;
        private String kmsKeyId;
        private software.amazon.awssdk.core.interceptor.ExecutionInterceptor interceptor;

        private Builder() {}

        /** For tests: sees every request the client sends. */
        Builder interceptor(software.amazon.awssdk.core.interceptor.ExecutionInterceptor i) {
            this.interceptor = i;
            return this;
        }

        /**
         * Server-side encryption asked for on every upload (single request and multipart): {@code AES256} (SSE-S3,
         * keys managed by S3) or {@code aws:kms} (SSE-KMS, with {@code kmsKeyId} or, when null, the bucket's default
         * KMS key); null or {@code none} = the bucket's default. Other values are refused naming the accepted ones.
         */
        public Builder serverSideEncryption(String mode, String kmsKeyId) {
            String m = mode == null ? "" : mode.trim();
            if (m.isEmpty() || m.equalsIgnoreCase("none")) {
                this.sse = null;
            } else if (m.equalsIgnoreCase("AES256") || m.equalsIgnoreCase("sse-s3")) {
                this.sse = ServerSideEncryption.AES256;
            } else if (m.equalsIgnoreCase("aws:kms") || m.equalsIgnoreCase("sse-kms")) {
                this.sse = ServerSideEncryption.AWS_KMS;
            } else {
                throw new IllegalArgumentException("'sse' must be AES256 (SSE-S3), aws:kms (SSE-KMS) or none, got '"
                        + mode + "'");
            }
            String key = kmsKeyId == null || kmsKeyId.isBlank() ? null : kmsKeyId.trim();
            if (key != null && this.sse != ServerSideEncryption.AWS_KMS) {
                throw new IllegalArgumentException("'sse_kms_key_id' needs 'sse: aws:kms', got sse '" + mode + "'");
            }
            this.kmsKeyId = key;
            return this;
        }

        /** Attempts of one request (the first and the retries of a retryable failure); default 3. */
        public Builder maxAttempts(int n) {
            if (n < 1) throw new IllegalArgumentException("'max_attempts' must be at least 1, got " + n);
            this.maxAttempts = n;
            return this;
        }

        /** The S3 endpoint ({@code http://minio:9000}); default: AWS S3 of the region. */
        public Builder endpoint(URI e) { this.endpoint = e; return this; }

        /** The region; default {@code us-east-1} (what most S3-compatible servers expect). */
        public Builder region(String r) { this.region = Objects.requireNonNull(r, "region"); return this; }

        /** The bucket (it must exist). */
        public Builder bucket(String b) { this.bucket = b; return this; }

        /** A key prefix inside the bucket ({@code bklog/prod}); default none. */
        public Builder prefix(String p) {
            String s = p == null ? "" : p.replaceAll("^/+|/+$", "");
            this.prefix = s.isEmpty() ? "" : s + "/";
            return this;
        }

        /**
         * Access and secret key; default: the AWS default chain (environment {@code AWS_ACCESS_KEY_ID} /
         * {@code AWS_SECRET_ACCESS_KEY}, profile, instance role).
         */
        public Builder credentials(String accessKey, String secretKey) {
            this.accessKey = accessKey;
            this.secretKey = secretKey;
            return this;
        }

        /** Path-style addressing ({@code endpoint/bucket/key}); default true with an endpoint, false on AWS. */
        public Builder pathStyle(boolean p) { this.pathStyle = p; return this; }

        /** Size of a multipart upload's part and the size from which a file goes up in parts; default 16 MiB, min 5 MiB. */
        public Builder partSize(long bytes) {
            if (bytes < MIN_PART_SIZE) {
                throw new IllegalArgumentException("'part_size' must be at least 5 MiB (S3's minimum), got " + bytes);
            }
            this.partSize = bytes;
            return this;
        }

        /** How long one request may take (a part upload included); default 5 min. */
        public Builder timeout(Duration t) { this.timeout = Objects.requireNonNull(t, "timeout"); return this; }

        public S3BlobStore build() {
            if (bucket == null || bucket.isBlank()) throw new IllegalArgumentException("missing setting 'bucket'");
            if ((accessKey == null) != (secretKey == null)) {
                throw new IllegalArgumentException("give both 'access_key' and 'secret_key', or neither (the AWS "
                        + "default credentials chain is used then)");
            }
            AwsCredentialsProvider credentials = accessKey == null ? DefaultCredentialsProvider.builder().build()
                    : StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey));
            var client = S3Client.builder()
                    .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(10))
                            .socketTimeout(timeout))
                    .region(Region.of(region))
                    .credentialsProvider(credentials)
                    // Content-MD5 on every body instead of the SDK's trailing CRC32, which not every S3-compatible
                    // server understands
                    .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                    .forcePathStyle(pathStyle != null ? pathStyle : endpoint != null)
                    .overrideConfiguration(o -> {
                        o.apiCallTimeout(timeout).retryStrategy(
                                software.amazon.awssdk.awscore.retry.AwsRetryStrategy.standardRetryStrategy()
                                        .toBuilder().maxAttempts(maxAttempts).build());
                        if (interceptor != null) o.addExecutionInterceptor(interceptor);
                    });
            if (endpoint != null) client.endpointOverride(endpoint);
            return new S3BlobStore(this, client.build());
        }
    }

    @Override
    public String location() {
        return "s3://" + bucket + "/" + prefix + (endpoint.equals("aws") ? "" : " at " + endpoint);
    }

    /** Called with the part number after each part of a multipart upload is stored (tests stop the server here). */
    void onPartUploaded(IntConsumer listener) {
        this.partUploaded = Objects.requireNonNull(listener);
    }

    private String key(String key) {
        return prefix + BlobStore.checkKey(key);
    }

    @Override
    public void verify() {
        // a request without a body first: a server refusing the credentials may close the connection while a body
        // is still being sent, which would hide its 403 behind a write error
        call("list", prefix, () -> s3.listObjectsV2(r -> r.bucket(bucket).prefix(prefix).maxKeys(1)));
        String probe = prefix + ".verify-" + UUID.randomUUID();
        call("check the bucket is writable", probe, () -> {
            s3.putObject(putRequest(probe, new byte[0]), RequestBody.empty());
            s3.deleteObject(r -> r.bucket(bucket).key(probe));
            return null;
        });
    }

    @Override
    public String put(String key, Path file) {
        String k = key(key);
        try {
            long size = Files.size(file);
            if (size < partSize) return put(key, Files.readAllBytes(file));
            return multipart(k, file, size);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    @Override
    public String put(String key, byte[] bytes) {
        String k = key(key);
        call("upload", k, () -> s3.putObject(putRequest(k, bytes), RequestBody.fromBytes(bytes)));
        return HexFormat.of().formatHex(digest("SHA-256").digest(bytes));
    }

    private String multipart(String k, Path file, long size) throws IOException {
        int parts = (int) ((size + partSize - 1) / partSize);
        // an upload of this key left open by an interrupted put: keep its parts that match this file
        Optional<MultipartUpload> open = call("list open uploads", k, () -> s3.listMultipartUploads(r -> r
                .bucket(bucket).prefix(k)).uploads()).stream().filter(u -> u.key().equals(k))
                .max(Comparator.comparing(MultipartUpload::initiated, Comparator.nullsFirst(Comparator.naturalOrder())));
        String uploadId;
        Map<Integer, Part> existing = new TreeMap<>();
        if (open.isPresent()) {
            uploadId = open.get().uploadId();
            for (Part p : call("list uploaded parts", k, () -> s3.listPartsPaginator(r -> r.bucket(bucket).key(k)
                    .uploadId(open.get().uploadId())).parts())) {
                existing.put(p.partNumber(), p);
            }
        } else {
            uploadId = call("start a multipart upload", k, () -> s3.createMultipartUpload(multipartRequest(k))
                    .uploadId());
        }
        MessageDigest sha = digest("SHA-256");
        List<CompletedPart> completed = new ArrayList<>();
        int reused = 0;
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            for (int n = 1; n <= parts; n++) {
                long offset = (n - 1) * partSize;
                byte[] buf = new byte[(int) Math.min(partSize, size - offset)];
                in.seek(offset);
                in.readFully(buf);
                sha.update(buf);
                byte[] md5 = digest("MD5").digest(buf);
                String etag = "\"" + HexFormat.of().formatHex(md5) + "\"";
                Part before = existing.get(n);
                if (before != null && before.size() == buf.length && etag.equalsIgnoreCase(quoted(before.eTag()))) {
                    completed.add(CompletedPart.builder().partNumber(n).eTag(before.eTag()).build());
                    reused++;
                    continue;
                }
                final int number = n;
                String stored = call("upload part " + n + "/" + parts, k, () -> s3.uploadPart(r -> r.bucket(bucket)
                        .key(k).uploadId(uploadId).partNumber(number)
                        .contentMD5(Base64.getEncoder().encodeToString(md5)), RequestBody.fromBytes(buf)).eTag());
                completed.add(CompletedPart.builder().partNumber(n).eTag(stored).build());
                partUploaded.accept(n);
            }
        }
        call("complete the multipart upload", k, () -> s3.completeMultipartUpload(r -> r.bucket(bucket).key(k)
                .uploadId(uploadId).multipartUpload(m -> m.parts(completed))));
        if (reused > 0) LOG.info("multipart upload resumed key={} parts={} reused={}", k, parts, reused);
        return HexFormat.of().formatHex(sha.digest());
    }

    /** The request of a single-request upload of {@code bytes} to the full key {@code k}: MD5, encryption. */
    PutObjectRequest putRequest(String k, byte[] bytes) {
        PutObjectRequest.Builder r = PutObjectRequest.builder().bucket(bucket).key(k).contentMD5(md5Base64(bytes));
        if (sse != null) r.serverSideEncryption(sse);
        if (kmsKeyId != null) r.ssekmsKeyId(kmsKeyId);
        return r.build();
    }

    /** The request starting a multipart upload to the full key {@code k} (the parts inherit its encryption). */
    CreateMultipartUploadRequest multipartRequest(String k) {
        CreateMultipartUploadRequest.Builder r = CreateMultipartUploadRequest.builder().bucket(bucket).key(k);
        if (sse != null) r.serverSideEncryption(sse);
        if (kmsKeyId != null) r.ssekmsKeyId(kmsKeyId);
        return r.build();
    }

    private static String quoted(String etag) {
        return etag.startsWith("\"") ? etag : "\"" + etag + "\"";
    }

    @Override
    public Optional<InputStream> open(String key) {
        String k = key(key);
        try {
            return Optional.of(call("download", k, () -> s3.getObject(r -> r.bucket(bucket).key(k))));
        } catch (BackendException e) {
            if (e.getCause() instanceof NoSuchKeyException) return Optional.empty();
            throw e;
        }
    }

    @Override
    public Optional<Long> size(String key) {
        String k = key(key);
        try {
            return Optional.of(call("read the size of", k, () -> s3.headObject(r -> r.bucket(bucket).key(k))
                    .contentLength()));
        } catch (BackendException e) {
            if (e.getCause() instanceof NoSuchKeyException
                    || e.getCause() instanceof S3Exception s && s.statusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public List<String> list(String keyPrefix) {
        String p = prefix + keyPrefix;
        return call("list", p, () -> s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(p)).contents().stream()
                .map(S3Object::key).map(k -> k.substring(prefix.length()))
                // a key ending with / is a folder marker some servers list (s3proxy's filesystem backend), not a blob
                .filter(k -> !k.startsWith(".") && !k.isEmpty() && !k.endsWith("/")).sorted().toList());
    }

    @Override
    public void delete(String key) {
        String k = key(key);
        call("delete", k, () -> s3.deleteObject(r -> r.bucket(bucket).key(k)));
    }

    /** Aborts every multipart upload left open under the prefix (an upload nobody will resume); returns how many. */
    public int abortOpenUploads() {
        List<MultipartUpload> open = call("list open uploads", prefix, () -> s3.listMultipartUploads(r -> r
                .bucket(bucket).prefix(prefix)).uploads());
        for (MultipartUpload u : open) {
            call("abort the upload", u.key(), () -> s3.abortMultipartUpload(r -> r.bucket(bucket).key(u.key())
                    .uploadId(u.uploadId())));
        }
        return open.size();
    }

    @Override
    public void close() {
        s3.close();
    }

    @Override
    public String toString() {
        return location();
    }

    private <T> T call(String what, String key, java.util.function.Supplier<T> action) {
        try {
            return action.get();
        } catch (S3Exception e) {
            int status = e.statusCode();
            String code = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
            String hint = status == 403 ? "; the credentials were refused: check access_key / secret_key and the "
                    + "bucket policy" : status == 404 && "NoSuchBucket".equals(code) ? "; create the bucket '" + bucket
                    + "' first" : "";
            throw new BackendException("S3 " + location() + ": cannot " + what + " " + key + ": HTTP " + status
                    + " " + code + hint, status >= 500 || status == 429, e);
        } catch (SdkClientException e) {
            throw new BackendException("S3 " + location() + ": cannot " + what + " " + key + ": " + e.getMessage()
                    + "; is the server up and the endpoint right?", true, e);
        } catch (UncheckedIOException e) {
            throw new BackendException("S3 " + location() + ": cannot " + what + " " + key + ": " + e.getCause()
                    + "; is the server up and the endpoint right?", true, e);
        } catch (SdkException e) {
            throw new BackendException("S3 " + location() + ": cannot " + what + " " + key + ": " + e.getMessage(),
                    e);
        }
    }

    private static String md5Base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(digest("MD5").digest(bytes));
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is not available", e);
        }
    }
}
