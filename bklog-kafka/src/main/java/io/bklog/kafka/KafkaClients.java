package io.bklog.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import io.bklog.spi.BackendException;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Shared client settings and topic creation. */
final class KafkaClients {

    private KafkaClients() {
    }

    static Map<String, Object> base(String bootstrapServers, Map<String, String> clientProperties, Duration requestTimeout) {
        Map<String, Object> p = new HashMap<>(clientProperties);
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) requestTimeout.toMillis());
        return p;
    }

    static Admin admin(String bootstrapServers, Map<String, String> clientProperties, Duration requestTimeout) {
        Map<String, Object> p = base(bootstrapServers, clientProperties, requestTimeout);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) Math.max(requestTimeout.toMillis(), 1000));
        p.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "bklog-admin");
        return Admin.create(p);
    }

    /** Creates each topic unless it exists. */
    static void ensureTopics(Admin admin, List<NewTopic> topics, Duration timeout) {
        for (NewTopic t : topics) {
            try {
                admin.createTopics(List.of(t)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new BackendException("kafka: cannot create topic '" + t.name() + "' (" + t.numPartitions()
                            + " partitions, replication " + t.replicationFactor() + "): " + e.getCause().getMessage()
                            + "; check the brokers and the client's ACLs", e.getCause());
                }
            } catch (java.util.concurrent.TimeoutException e) {
                throw new BackendException("kafka: creating topic '" + t.name() + "' timed out after " + timeout
                        + "; check bootstrap.servers and that the brokers run", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackendException("kafka: interrupted while creating topic '" + t.name() + "'", e);
            }
        }
    }
}
