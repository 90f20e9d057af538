package dev.otimo.api;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bug (an exception nothing maps to a status) answers 500 with "internal error" and a correlation
 * id, never the exception's text; the log line with the stack trace carries the same id.
 */
class JsonErrorHandlerTest {

    private static final String SECRET_DETAIL = "connection to /var/lib/otimo/secret.db as user otimo failed";

    private final Logger logger = (Logger) LoggerFactory.getLogger(JsonErrorHandler.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeEach
    void capture() {
        logged.start();
        logger.addAppender(logged);
    }

    @AfterEach
    void release() {
        logger.detachAppender(logged);
    }

    private static MockServerWebExchange handled(Throwable ex) {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/api/v1/models"));
        new JsonErrorHandler().handle(exchange, ex).block();
        return exchange;
    }

    private static JsonNode body(MockServerWebExchange exchange) {
        return JsonMapper.builder().build().readTree(exchange.getResponse().getBodyAsString().block());
    }

    @Test
    void unexpectedIllegalStateExceptionAnswers500WithCorrelationIdAndNoExceptionText() {
        MockServerWebExchange exchange = handled(new IllegalStateException(SECRET_DETAIL));

        assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.INTERNAL_SERVER_ERROR);
        String raw = exchange.getResponse().getBodyAsString().block();
        assertThat(raw).doesNotContain("secret.db").doesNotContain("IllegalStateException");
        JsonNode body = JsonMapper.builder().build().readTree(raw);
        assertThat(body.get("error").asString()).isEqualTo("internal error");
        String id = body.get("correlationId").asString();
        assertThat(id).matches("[0-9a-f]{16}");

        assertThat(logged.list).hasSize(1);
        ILoggingEvent line = logged.list.get(0);
        assertThat(line.getFormattedMessage()).contains(id).contains("GET /api/v1/models");
        assertThat(line.getThrowableProxy().getClassName()).isEqualTo(IllegalStateException.class.getName());
        assertThat(line.getThrowableProxy().getMessage()).isEqualTo(SECRET_DETAIL);

        // a client's mistake is no bug: its message is the answer, with no id and no log line
        MockServerWebExchange bad = handled(new IllegalArgumentException("send a name"));
        assertThat(bad.getResponse().getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(body(bad).get("error").asString()).isEqualTo("send a name");
        assertThat(body(bad).has("correlationId")).isFalse();
        assertThat(logged.list).hasSize(1);
    }

    @Test
    void everyUnexpectedExceptionGetsAnIdOfItsOwn() {
        Set<String> ids = IntStream.range(0, 50)
                .mapToObj(i -> body(handled(new NullPointerException("bug " + i))).get("correlationId").asString())
                .collect(Collectors.toSet());
        assertThat(ids).hasSize(50);
        assertThat(logged.list).hasSize(50);
    }
}
