package io.bklog.core.alert;

import java.time.Duration;

/** Waits between delivery attempts; tests inject one that does not wait. */
@FunctionalInterface
public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;

    Sleeper REAL = d -> Thread.sleep(d.toMillis());
}
