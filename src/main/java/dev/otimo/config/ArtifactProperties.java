package dev.otimo.config;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Where model files live, under {@code otimo.artifacts.*}.
 *
 * @param store     {@code local}: files under the data directory (one instance); {@code database}: chunks
 *                  in the registry database, cached on local disk (any number of replicas); {@code auto}:
 *                  database on PostgreSQL, local otherwise
 * @param chunkSize size of the chunks an artifact is cut into in the database
 */
@Validated
@ConfigurationProperties("otimo.artifacts")
public record ArtifactProperties(@DefaultValue("auto") @NotNull Store store,
                                 @DefaultValue("1MB") @NotNull DataSize chunkSize) {

    public ArtifactProperties {
        if (chunkSize != null && (chunkSize.toBytes() < 1024 || chunkSize.toBytes() > 64L * 1024 * 1024)) {
            throw new IllegalArgumentException("otimo.artifacts.chunk-size must be between 1KB and 64MB, was " + chunkSize);
        }
    }

    /** The artifact store in use. */
    public enum Store { AUTO, LOCAL, DATABASE }
}
