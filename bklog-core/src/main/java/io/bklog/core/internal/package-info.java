/**
 * <b>Internal: not a stable API.</b> What the reference server, the tests and the benchmarks reach behind
 * {@link io.bklog.core.LogPlatform}'s services: the raw store, the metadata database, the buffer, broker and lock,
 * the storage topology ({@link io.bklog.core.internal.PlatformInternals}, from
 * {@link io.bklog.core.LogPlatform#internals()}). Types here may change or go in any release; an embedding host
 * uses the services of {@link io.bklog.core.LogPlatform} instead (an ArchUnit rule keeps {@code examples/}, the
 * model of such a host, off this package).
 */
package io.bklog.core.internal;
