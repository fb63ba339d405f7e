/**
 * The notification channel SPI of alerting: a third party adds a channel (chat, pager, SMS...) by implementing
 * {@link io.bklog.spi.alert.NotificationChannelFactory} and listing it in
 * {@code META-INF/services/io.bklog.spi.alert.NotificationChannelFactory} (or installing it with
 * {@code LogPlatformBuilder.alertChannel}). JDK only. See docs/alerting.md.
 */
package io.bklog.spi.alert;
