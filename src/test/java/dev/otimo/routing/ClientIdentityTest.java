package dev.otimo.routing;

import dev.otimo.runtime.DataType;
import dev.otimo.support.OwnNettyResources;
import dev.otimo.support.ServerTest;
import dev.otimo.support.TestModels;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.IntFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whose rate limit a request counts against: a valid API key's, else its peer's, where the peer
 * is the client unless it is a trusted proxy. The test's clients connect from loopback addresses
 * of their own (127.0.0.2 is the trusted proxy), on a server that believes it runs on Kubernetes,
 * where Spring Boot would otherwise take the client's address from forwarded headers.
 */
@TestPropertySource(properties = {
        "spring.main.cloud-platform=kubernetes",
        "otimo.security.trusted-proxies=127.0.0.2",
        "otimo.resilience.client-rate-limits.[127.0.0.3]=2",
        "otimo.resilience.client-rate-limits.[127.0.0.4]=2",
        "otimo.resilience.client-rate-limits.[198.51.100.7]=2"})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@ContextConfiguration(initializers = OwnNettyResources.class)
class ClientIdentityTest extends ServerTest {

    private static final String ROW = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,-2,3]}]}";
    private static final String PROXY = "127.0.0.2";
    private static final int REQUESTS = 20;

    /** A client whose connections come from {@code address}. */
    private WebTestClient from(String address) {
        HttpClient client = HttpClient.create(ConnectionProvider.newConnection())
                .bindAddress(() -> new InetSocketAddress(address, 0));
        return WebTestClient.bindToServer(new ReactorClientHttpConnector(client)).baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(60)).codecs(ServerTest::testCodecs).build();
    }

    /** Sends {@link #REQUESTS} requests, the i-th with the headers {@code headers} gives it; returns how many got 429. */
    private static int limited(WebTestClient client, String model, IntFunction<String[]> headers) {
        int limited = 0;
        for (int i = 0; i < REQUESTS; i++) {
            String[] pairs = headers.apply(i);
            WebTestClient.RequestBodySpec request = client.post().uri("/v2/models/{m}/infer", model)
                    .contentType(MediaType.APPLICATION_JSON);
            for (int h = 0; h < pairs.length; h += 2) {
                request.header(pairs[h], pairs[h + 1]);
            }
            EntityExchangeResult<byte[]> r = request.bodyValue(ROW).exchange().expectBody().returnResult();
            if (r.getStatus().value() == 429) {
                limited++;
            } else {
                assertThat(r.getStatus().value()).as(new String(r.getResponseBody())).isEqualTo(200);
            }
        }
        return limited;
    }

    @Test
    void invalidApiKeysShareThePeerAddressBucket() {
        String model = unique("keyed");
        serve(model, TestModels.echo(DataType.FP32));
        WebTestClient peer = from("127.0.0.3");
        assertThat(limited(peer, model, i -> new String[] {"X-Api-Key", "not-a-key-" + i}))
                .as("requests with made-up keys limited as their peer address").isPositive();
        // a valid key is a client of its own, whatever address it calls from
        String key = unique("valid-key");
        storeApiKey(key);
        assertThat(limited(peer, model, i -> new String[] {"X-Api-Key", key})).isZero();
    }

    @Test
    void spoofedForwardedForFromUntrustedPeerIsIgnored() {
        String model = unique("spoofed");
        serve(model, TestModels.echo(DataType.FP32));
        WebTestClient peer = from("127.0.0.4");
        assertThat(limited(peer, model, i -> i % 2 == 0
                ? new String[] {"X-Forwarded-For", "203.0.113." + i}
                : new String[] {"Forwarded", "for=203.0.113." + i}))
                .as("requests naming a new forwarded address each time limited as their peer").isPositive();
    }

    @Test
    void forwardedForFromTrustedProxyIsHonoured() {
        String model = unique("proxied");
        serve(model, TestModels.echo(DataType.FP32));
        WebTestClient proxy = from(PROXY);
        // the left entry is whatever the client sent; the proxy appended the address it saw
        assertThat(limited(proxy, model, i -> new String[] {"X-Forwarded-For", "203.0.113." + i + ", 198.51.100.7"}))
                .as("the client the proxy saw is limited").isPositive();
        assertThat(limited(proxy, model, i -> new String[] {"X-Forwarded-For", "198.51.100.8"}))
                .as("another client behind the same proxy keeps its own allowance").isZero();
        assertThat(limited(proxy, model, i -> new String[] {"Forwarded", "for=198.51.100.7;proto=http"}))
                .as("the same client named in a Forwarded header").isPositive();
    }
}
