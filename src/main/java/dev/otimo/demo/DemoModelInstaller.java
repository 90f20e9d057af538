package dev.otimo.demo;

import dev.otimo.observability.AuditLog;
import dev.otimo.config.OtimoProperties;
import dev.otimo.registry.ModelVersion;
import dev.otimo.registry.RegistryService;
import dev.otimo.serving.DeploymentManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * At first start (no model of the demo's name yet) trains the Iris classifier, registers it as
 * version 1 and deploys it, so that a fresh installation answers a prediction at once.
 */
@Component
public class DemoModelInstaller implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(DemoModelInstaller.class);

    private final OtimoProperties properties;
    private final RegistryService registry;
    private final DeploymentManager deployments;

    public DemoModelInstaller(OtimoProperties properties, RegistryService registry, DeploymentManager deployments) {
        this.properties = properties;
        this.registry = registry;
        this.deployments = deployments;
    }

    @Override
    public void run(ApplicationArguments args) throws Exception {
        String name = properties.demo().modelName();
        if (!properties.demo().enabled() || registry.findModel(name).isPresent()) {
            return;
        }
        IrisClassifier classifier = IrisClassifier.train();
        byte[] onnx = classifier.toOnnx().toByteArray();
        Path file = Files.createTempFile(Files.createDirectories(properties.dataDir().resolve("uploads")), "demo-", ".onnx");
        Files.write(file, onnx);
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(onnx));
        registry.createModel(AuditLog.SYSTEM, name, "Demo: Iris species from sepal and petal sizes (cm); softmax regression trained at first start, "
                + String.format(java.util.Locale.ROOT, "%.0f%%", classifier.heldOutAccuracy() * 100) + " accurate on 30 held-out flowers");
        ModelVersion v = registry.registerVersion(AuditLog.SYSTEM, name, file, sha256, onnx.length, null, null);
        registry.deploy(AuditLog.SYSTEM, name, v.getNumber(), deployments.defaultSpec());
        deployments.reconcile().join();
        log.info("demo model '{}' v{} deployed (held-out accuracy {})", name, v.getNumber(), classifier.heldOutAccuracy());
    }
}
