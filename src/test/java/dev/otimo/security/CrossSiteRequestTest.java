package dev.otimo.security;

import dev.otimo.support.ServerTest;
import dev.otimo.support.TestModels;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.BodyInserters;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A page on another site cannot make a browser that holds the admin's credentials change anything:
 * unsafe requests whose fetch metadata or Origin say they come from elsewhere are refused (403)
 * before authentication, and nothing of them is read or stored. Clients that are not browsers send
 * neither header and pass, and so do the console's own same-origin requests. No 401 asks the browser
 * for Basic credentials, so it has none cached to send.
 */
class CrossSiteRequestTest extends ServerTest {

    private static final String EVIL = "https://evil.example";

    @Value("${otimo.data-dir}")
    Path dataDir;

    private String createdModel() {
        String model = unique("csrf");
        admin.post().uri("/api/v1/models").contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", model))
                .exchange().expectStatus().isCreated();
        return model;
    }

    private WebTestClient.ResponseSpec uploadVersion(String model, HttpHeaders browser) {
        return admin.post().uri("/api/v1/models/{m}/versions", model).headers(h -> h.addAll(browser))
                .body(BodyInserters.fromMultipartData(multipart(TestModels.sumAndScale()))).exchange();
    }

    private static HttpHeaders headers(String... namesAndValues) {
        HttpHeaders h = new HttpHeaders();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            h.add(namesAndValues[i], namesAndValues[i + 1]);
        }
        return h;
    }

    private int versionCount(String model) {
        return admin.get().uri("/api/v1/models/{m}", model).exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody().get("versions").size();
    }

    private List<Path> uploadsFolder() throws IOException {
        Path uploads = dataDir.resolve("uploads");
        if (!Files.isDirectory(uploads)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(uploads)) {
            return files.toList();
        }
    }

    private void expectRefusedAndNothingStored(String model, HttpHeaders browser) throws IOException {
        List<Path> before = uploadsFolder();
        uploadVersion(model, browser).expectStatus().isForbidden()
                .expectBody().jsonPath("$.error").value(e -> assertThat((String) e).startsWith("cross-site request refused"));
        assertThat(versionCount(model)).isZero();
        assertThat(uploadsFolder()).isEqualTo(before).isEmpty();
    }

    @Test
    void crossSiteMultipartUploadWithBasicCredentialsAndFetchMetadataIsRefusedAndStoresNothing() throws IOException {
        String model = createdModel();
        expectRefusedAndNothingStored(model, headers(HttpHeaders.ORIGIN, EVIL, "Sec-Fetch-Site", "cross-site",
                "Sec-Fetch-Mode", "no-cors", "Sec-Fetch-Dest", "empty"));
    }

    @Test
    void crossSiteMultipartUploadWithOnlyForeignOriginIsRefusedAndStoresNothing() throws IOException {
        String model = createdModel();
        expectRefusedAndNothingStored(model, headers(HttpHeaders.ORIGIN, EVIL));
    }

    @Test
    void sameSiteFetchMetadataWithoutOriginIsRefused() throws IOException {
        // a sibling subdomain (another app on the same site) is not this server either
        String model = createdModel();
        expectRefusedAndNothingStored(model, headers("Sec-Fetch-Site", "same-site"));
    }

    @Test
    void foreignOriginOnTheSameHostButAnotherPortIsRefused() throws IOException {
        String model = createdModel();
        expectRefusedAndNothingStored(model, headers(HttpHeaders.ORIGIN, "http://127.0.0.1:" + (port + 1)));
    }

    @Test
    void opaqueNullOriginIsRefused() throws IOException {
        // sandboxed frames and cross-site redirects send "Origin: null"
        String model = createdModel();
        expectRefusedAndNothingStored(model, headers(HttpHeaders.ORIGIN, "null"));
    }

    @Test
    void crossSiteCalibrationUploadIsRefused() throws IOException {
        String model = createdModel();
        List<Path> before = uploadsFolder();
        MultipartBodyBuilder parts = new MultipartBodyBuilder();
        parts.part("file", new ByteArrayResource("{\"inputs\": []}\n".getBytes(StandardCharsets.UTF_8)) {
            @Override
            public String getFilename() {
                return "calibration.jsonl";
            }
        });
        admin.post().uri("/api/v1/models/{m}/calibration-sets", model).header(HttpHeaders.ORIGIN, EVIL)
                .header("Sec-Fetch-Site", "cross-site").body(BodyInserters.fromMultipartData(parts.build())).exchange()
                .expectStatus().isForbidden();
        assertThat(uploadsFolder()).isEqualTo(before);
    }

    @Test
    void crossSiteDeleteAndCreateAreRefusedWhileReadsPass() {
        String model = createdModel();
        admin.delete().uri("/api/v1/models/{m}", model).header(HttpHeaders.ORIGIN, EVIL).exchange()
                .expectStatus().isForbidden();
        String forged = unique("forged");
        admin.post().uri("/api/v1/models").header(HttpHeaders.ORIGIN, EVIL).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", forged)).exchange().expectStatus().isForbidden();
        admin.get().uri("/api/v1/models/{m}", model).exchange().expectStatus().isOk();
        admin.get().uri("/api/v1/models/{m}", forged).exchange().expectStatus().isNotFound();
        // safe methods change nothing; whether a page may read the answer is CORS's business
        admin.get().uri("/api/v1/models").header(HttpHeaders.ORIGIN, EVIL).header("Sec-Fetch-Site", "cross-site")
                .exchange().expectStatus().isOk().expectHeader().doesNotExist(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN);
    }

    @Test
    void crossSiteRequestIsRefusedBeforeAuthentication() {
        // wrong credentials: 403 (refused for where it comes from), not 401 (which a browser could learn from)
        http.post().uri("/api/v1/models").header(HttpHeaders.ORIGIN, EVIL).header("Sec-Fetch-Site", "cross-site")
                .headers(h -> h.setBasicAuth("admin", "wrong")).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", unique("forged"))).exchange().expectStatus().isForbidden();
    }

    @Test
    void sameOriginAndHeaderlessUploadsPassWhereTheCrossSiteOneIsRefused() {
        String model = createdModel();
        // what the console sends: the Origin of the page it was served from, which is the Host it calls
        uploadVersion(model, headers(HttpHeaders.ORIGIN, "http://127.0.0.1:" + port, "Sec-Fetch-Site", "same-origin"))
                .expectStatus().isCreated();
        uploadVersion(model, headers(HttpHeaders.ORIGIN, "http://127.0.0.1:" + port)).expectStatus().isCreated();
        // curl, SDKs, other servers: neither header
        uploadVersion(model, new HttpHeaders()).expectStatus().isCreated();
        uploadVersion(model, headers(HttpHeaders.ORIGIN, EVIL, "Sec-Fetch-Site", "cross-site")).expectStatus().isForbidden();
        assertThat(versionCount(model)).isEqualTo(3);
    }

    @Test
    void unauthorizedCarriesNoBasicChallenge() {
        // a browser that met "WWW-Authenticate: Basic" would show a login dialog and then send the
        // credentials along with every request to this host, forged ones included
        http.get().uri("/api/v1/models").exchange().expectStatus().isUnauthorized()
                .expectHeader().doesNotExist(HttpHeaders.WWW_AUTHENTICATE)
                .expectBody().jsonPath("$.error").value(e -> assertThat((String) e).contains("HTTP Basic"));
        http.get().uri("/api/v1/models").headers(h -> h.setBasicAuth("admin", "wrong")).exchange()
                .expectStatus().isUnauthorized().expectHeader().doesNotExist(HttpHeaders.WWW_AUTHENTICATE);
        http.get().uri("/actuator/metrics").exchange().expectStatus().isUnauthorized()
                .expectHeader().doesNotExist(HttpHeaders.WWW_AUTHENTICATE);
    }
}
