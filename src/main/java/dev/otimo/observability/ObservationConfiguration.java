package dev.otimo.observability;

import io.micrometer.observation.ObservationPredicate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;

/**
 * Inference requests are measured by {@link InferenceMetrics} (per model, version, variant and
 * outcome); the generic per-request HTTP observation would only double that cost on the hot path.
 */
@Configuration
public class ObservationConfiguration {

    @Bean
    ObservationPredicate skipInferenceHttpObservations() {
        return (name, context) -> !(context instanceof ServerRequestObservationContext request
                && request.getCarrier().getPath().value().startsWith("/v2/"));
    }
}
