package io.bklog.s3;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

import static org.awaitility.Awaitility.await;

/**
 * A real S3-compatible server for the tests: s3proxy in this JVM on a free port of 127.0.0.1, with jclouds'
 * filesystem backend in a temporary directory and one bucket, shared by every test of the JVM. A test may
 * {@link #stop()} it (a server gone mid-upload) and {@link #start()} it again on the same port with the same data.
 */
final class S3ProxyFixture {
    static final String ACCESS_KEY = "bklog-test-access";
    static final String SECRET_KEY = "bklog-test-secret";
    static final String BUCKET = "bklog-backups";

    private static S3ProxyFixture shared;

    private final Path basedir;
    private final BlobStoreContext context;
    private int port;
    private S3Proxy proxy;

    private S3ProxyFixture() throws IOException {
        basedir = Files.createTempDirectory("bklog-s3proxy-");
        Properties props = new Properties();
        props.setProperty("jclouds.filesystem.basedir", basedir.toString());
        context = ContextBuilder.newBuilder("filesystem").credentials("unused", "unused").overrides(props)
                .build(BlobStoreContext.class);
        context.getBlobStore().createContainerInLocation(null, BUCKET);
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "s3proxy-fixture-stop"));
    }

    static synchronized S3ProxyFixture get() {
        if (shared == null) {
            try {
                shared = new S3ProxyFixture();
            } catch (IOException e) {
                throw new IllegalStateException("cannot create the s3proxy data dir", e);
            }
        }
        shared.start();
        return shared;
    }

    /** Starts the server (on the port it had, the first time on a free one); a running server is left as it is. */
    synchronized void start() {
        if (proxy != null) return;
        S3Proxy p = S3Proxy.builder().blobStore(context.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        try {
            p.start();
        } catch (Exception e) {
            throw new IllegalStateException("s3proxy did not start on 127.0.0.1:" + port + ": " + e, e);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> "STARTED".equals(p.getState()));
        port = p.getPort();
        proxy = p;
    }

    /** Stops the server; its data stays. */
    synchronized void stop() {
        if (proxy == null) return;
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("s3proxy did not stop: " + e, e);
        }
        proxy = null;
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** A store on the bucket under {@code prefix} with the right credentials and 5 MiB parts. */
    S3BlobStore store(String prefix) {
        return store(prefix, SECRET_KEY);
    }

    S3BlobStore store(String prefix, String secretKey) {
        return S3BlobStore.builder().endpoint(endpoint()).bucket(BUCKET).prefix(prefix)
                .credentials(ACCESS_KEY, secretKey).partSize(S3BlobStore.MIN_PART_SIZE)
                .timeout(Duration.ofSeconds(30)).build();
    }
}
