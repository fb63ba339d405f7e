/**
 * Metadata: the platform's configuration and operations records in a relational database.
 *
 * <p>{@link io.bklog.core.meta.MetadataStore} is the front door: built from a
 * {@link io.bklog.core.meta.MetadataConfig} (embedded H2 file under the data dir by default, MariaDB/MySQL in
 * production), it runs the Flyway migrations in {@code db/migration/bklog} and hands out one repository per
 * aggregate: spaces, tokens, index sets, collector configs, desensitize rules / field configs / configs, archive
 * configs, archived snapshots, restore jobs, backup records, task runs, async tasks, export jobs, search history,
 * favorites and index set capacity.
 *
 * <p>Rules every repository follows:
 * <ul>
 *   <li>rows are immutable records; {@code create} returns the stored row (id, {@code version} 1, timestamps from
 *       the store's clock);</li>
 *   <li>{@code update(row)} and {@code delete(row)} are optimistically locked on the row's {@code version}: a stale
 *       copy throws {@link io.bklog.core.meta.MetadataConflictException}, a vanished row
 *       {@link io.bklog.core.meta.MetadataNotFoundException};</li>
 *   <li>unique names throw {@link io.bklog.core.meta.DuplicateNameException}, broken references
 *       {@link io.bklog.core.meta.MetadataReferenceException};</li>
 *   <li>{@code find*} return {@code Optional}, {@code get*} throw {@code MetadataNotFoundException} naming the
 *       row;</li>
 *   <li>JSON columns are Jackson {@code JsonNode}s (or string lists), stored as text, so the packages that own
 *       their shape (ingest, ETL, search) stay free to evolve it.</li>
 * </ul>
 *
 * <p>{@link io.bklog.core.meta.MetadataDump} exports all tables as JSON lines in one consistent read and imports
 * them into an empty database (backups, H2 → MariaDB moves). {@link io.bklog.core.meta.MetadataHealthIndicator}
 * reports the {@code mysql} healthz namespace.
 */
package io.bklog.core.meta;
