package dev.otimo.console;

import dev.otimo.demo.IrisClassifier;
import dev.otimo.support.ServerTest;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin console in Debian's Chromium against this running server: log in, create a model,
 * upload it by drag and drop, deploy, run a playground inference, compress and read the report,
 * split traffic 50/50 (frontend-admin/e2e/console.e2e.mjs, driven by playwright-core). Screenshots
 * go to target/e2e-screenshots.
 */
class ConsoleEndToEndTest extends ServerTest {

    @Test
    void operatorWalksThroughTheConsoleInChromium() throws Exception {
        assertThat(new File("/usr/bin/chromium")).as("Debian's Chromium (apt-get install -y chromium)").exists();
        assertThat(new File("frontend-admin/node_modules/playwright-core")).as("npm ci in frontend-admin (mvn runs it)").exists();
        http.get().uri("/admin/").exchange().expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(org.springframework.http.MediaType.TEXT_HTML);
        Path model = Files.createTempFile("iris", ".onnx");
        Files.write(model, IrisClassifier.train().toOnnx().toByteArray());
        Path log = Path.of("target", "e2e-console.log");
        Files.createDirectories(log.getParent());
        ProcessBuilder node = new ProcessBuilder("node", "e2e/console.e2e.mjs")
                .directory(new File("frontend-admin"))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        node.environment().put("OTIMO_URL", "http://127.0.0.1:" + port);
        node.environment().put("OTIMO_ADMIN_PASSWORD", ADMIN_PASSWORD);
        node.environment().put("OTIMO_MODEL_FILE", model.toString());
        node.environment().put("OTIMO_E2E_SCREENSHOTS", Path.of("target", "e2e-screenshots").toAbsolutePath().toString());
        Process process = node.start();
        boolean finished = process.waitFor(8, TimeUnit.MINUTES);
        String output = Files.readString(log, StandardCharsets.UTF_8);
        if (!finished) {
            process.destroyForcibly();
        }
        assertThat(finished).as("console walk-through finished in time:\n" + output).isTrue();
        assertThat(process.exitValue()).as("console walk-through:\n" + output).isZero();
    }
}
