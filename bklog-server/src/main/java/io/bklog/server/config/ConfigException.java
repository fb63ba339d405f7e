package io.bklog.server.config;

/** The configuration cannot be read: the message names the file, key or variable and what was expected. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }

    public ConfigException(String message) {
        super(message);
    }
}
