package dev.otimo.config;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * A/B experiments, under {@code otimo.experiments.*}.
 *
 * @param outcomeTtl      how long after its answer a request's outcome may still be reported
 *                        ({@code POST /v2/models/{m}/outcomes}); later ones are counted as expired
 * @param outcomeCapacity answers kept at once for outcomes to join; beyond it answers are dropped, and their
 *                        outcomes counted as expired (while a tombstone of as many ids lasts; after that, unknown)
 * @param checkInterval   how often running experiments are judged: concluded when their verdict is reached,
 *                        promoted when they ask for it and the canary guard is quiet
 */
@Validated
@ConfigurationProperties("otimo.experiments")
public record ExperimentProperties(
        @DefaultValue("1h") @NotNull Duration outcomeTtl,
        @DefaultValue("100000") @Min(1) int outcomeCapacity,
        @DefaultValue("10s") @NotNull Duration checkInterval) {
}
