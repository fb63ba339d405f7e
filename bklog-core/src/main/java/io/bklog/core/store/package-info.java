/**
 * <b>Internal: not a stable API.</b> How the platform spreads index sets over storage clusters:
 * {@link io.bklog.core.store.StorageTopology}, built once by the platform's builder, and the
 * {@link io.bklog.core.store.RoutingLogStore} behind it. Hosts choose clusters through configuration
 * ({@code LogPlatformBuilder.backend(...)} with a {@code cluster} setting, {@code defaultCluster}) and index sets'
 * {@code storage_cluster}; they do not use these types.
 */
package io.bklog.core.store;
