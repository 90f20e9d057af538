package dev.otimo.bench;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closed-loop HTTP load: {@code clients} connections, each sending the same request again as soon
 * as the previous answer arrived. Latency per request goes into an HdrHistogram.
 */
final class LoadGenerator {

    /** What one run measured. */
    record Result(long requests, long errors, double seconds, double perSecond, double p50Millis, double p99Millis) {
    }

    private LoadGenerator() {
    }

    static Result run(String url, byte[] body, Map<String, String> headers, int clients, Duration warmUp, Duration measure) {
        ConnectionProvider pool = ConnectionProvider.builder("bench").maxConnections(clients)
                .pendingAcquireMaxCount(-1).build();
        HttpClient client = HttpClient.create(pool).keepAlive(true).headers(h -> headers.forEach(h::set));
        try {
            drive(client, url, body, clients, warmUp, new Recorder(3_600_000_000L, 3), new AtomicLong(), new AtomicLong());
            Recorder recorder = new Recorder(3_600_000_000L, 3);
            AtomicLong ok = new AtomicLong();
            AtomicLong errors = new AtomicLong();
            long start = System.nanoTime();
            drive(client, url, body, clients, measure, recorder, ok, errors);
            double seconds = (System.nanoTime() - start) / 1e9;
            Histogram h = recorder.getIntervalHistogram();
            return new Result(ok.get(), errors.get(), seconds, ok.get() / seconds,
                    h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0);
        } finally {
            pool.dispose();
        }
    }

    private static void drive(HttpClient client, String url, byte[] body, int clients, Duration duration,
                              Recorder recorder, AtomicLong ok, AtomicLong errors) {
        long deadline = System.nanoTime() + duration.toNanos();
        Flux.range(0, clients).flatMap(i -> Mono.defer(() -> {
                    long sent = System.nanoTime();
                    return client.headers(h -> h.set(HttpHeaderNames.CONTENT_LENGTH, body.length))
                            .post().uri(url).send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(body)))
                            .responseSingle((response, content) -> content.asByteArray().map(b -> response.status().code()))
                            .doOnNext(status -> {
                                if (status == 200) {
                                    recorder.recordValue(Math.max(1, (System.nanoTime() - sent) / 1000));
                                    ok.incrementAndGet();
                                } else {
                                    errors.incrementAndGet();
                                }
                            })
                            .onErrorResume(e -> {
                                errors.incrementAndGet();
                                return Mono.empty();
                            });
                }).repeat(() -> System.nanoTime() < deadline), clients)
                .blockLast(duration.plusMinutes(2));
    }
}
