package io.bklog.spi;

/** The one exact error a backend throws for something it cannot do. */
public class UnsupportedFeatureException extends RuntimeException {
    private final String feature;
    private final String backend;

    public UnsupportedFeatureException(String feature, String backend) {
        super("feature '" + feature + "' is not supported by backend '" + backend + "'");
        this.feature = feature;
        this.backend = backend;
    }

    public String feature() { return feature; }

    public String backend() { return backend; }
}
