package io.bklog.spi;

/** A received message, with the broker's receipt needed to ack it and how often it was delivered. */
public record TaskDelivery(TaskMessage message, String receipt, int deliveries) {}
