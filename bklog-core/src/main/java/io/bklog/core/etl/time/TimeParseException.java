package io.bklog.core.etl.time;

/** A value could not be read as a time in the given format; the message says what was expected. */
public class TimeParseException extends Exception {
    public TimeParseException(String message) {
        super(message, null, false, false);
    }
}
