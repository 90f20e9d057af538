package dev.otimo.config;

import dev.otimo.registry.ArtifactStore;
import dev.otimo.registry.DatabaseArtifactStore;
import dev.otimo.registry.LocalArtifactStore;
import dev.otimo.runtime.OrtRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import javax.sql.DataSource;
import java.io.IOException;

/** The runtime and the artifact store as beans. */
@Configuration
@EnableConfigurationProperties({OtimoProperties.class, ArtifactProperties.class, ClusterProperties.class,
        SecurityProperties.class, ExperimentProperties.class})
public class CoreConfiguration {

    private static final Logger log = LoggerFactory.getLogger(CoreConfiguration.class);

    @Bean
    OrtRuntime ortRuntime() {
        return new OrtRuntime();
    }

    /**
     * Local files for the embedded default; chunks in the database (cached on local disk) when the
     * registry is on PostgreSQL, so that replicas sharing it share the artifacts too.
     */
    @Bean
    ArtifactStore artifactStore(OtimoProperties properties, ArtifactProperties artifacts, DataSource dataSource)
            throws IOException {
        boolean database = switch (artifacts.store()) {
            case LOCAL -> false;
            case DATABASE -> true;
            case AUTO -> DatabaseProduct.of(dataSource) == DatabaseProduct.POSTGRESQL;
        };
        if (database) {
            log.info("artifacts are kept in the database in chunks of {} KiB, cached under {}",
                    artifacts.chunkSize().toKilobytes(), properties.dataDir().resolve("artifact-cache"));
            return new DatabaseArtifactStore(dataSource, properties.dataDir().resolve("artifact-cache"),
                    (int) artifacts.chunkSize().toBytes());
        }
        return new LocalArtifactStore(properties.dataDir().resolve("artifacts"));
    }
}
