package dev.otimo.routing;

import dev.otimo.config.ResilienceProperties;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-client limiters themselves, without a server. */
class ClientRateLimitsTest {

    private static ResilienceProperties properties(int perSecond, int maxTrackedClients) {
        return new ResilienceProperties(4096, new ResilienceProperties.Breaker(50, 100, Duration.ofSeconds(10), 20, 10,
                Duration.ofSeconds(10), 3), Duration.ofSeconds(30), Map.of(), perSecond, Map.of(), 20, maxTrackedClients, Duration.ofSeconds(1));
    }

    @Test
    void manyDistinctKeysKeepTheBucketMapBounded() {
        ClientRateLimits limits = new ClientRateLimits(properties(5, 100));
        for (int i = 0; i < 10_000; i++) {
            String client = "client-" + i;
            assertThat(limits.limit(() -> client, Mono.just(i)).block()).isEqualTo(i);
        }
        assertThat(limits.trackedClients()).isBetween(1L, 100L);
    }
}
