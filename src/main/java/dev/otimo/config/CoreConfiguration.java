package dev.otimo.config;

import dev.otimo.registry.ArtifactStore;
import dev.otimo.registry.LocalArtifactStore;
import dev.otimo.runtime.OrtRuntime;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.io.IOException;

/** The runtime and the artifact store as beans. */
@Configuration
@EnableConfigurationProperties(OtimoProperties.class)
public class CoreConfiguration {

    @Bean
    OrtRuntime ortRuntime() {
        return new OrtRuntime();
    }

    @Bean
    ArtifactStore artifactStore(OtimoProperties properties) throws IOException {
        return new LocalArtifactStore(properties.dataDir().resolve("artifacts"));
    }
}
