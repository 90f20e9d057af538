package dev.otimo.api.admin;

import dev.otimo.api.ApiException;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.codec.multipart.FilePartEvent;
import org.springframework.http.codec.multipart.FormPartEvent;
import org.springframework.http.codec.multipart.PartEvent;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * Receives the one file of a multipart upload into a temporary file, byte for byte, and checks it
 * against the client's digest when the client sent one.
 * <p>
 * The temporary file exists before the request body is subscribed to, and the body's part events
 * flow through one synchronous step straight into the file writer: no windows, no deferred inner
 * subscriptions. Every byte written is hashed and counted on its way to the file; the first file part
 * after the one named {@code file}, or a byte over the limit, ends the upload at once. The temporary
 * file is removed on every error and on cancellation (a client that goes away) unless the work that
 * consumes it has already taken it over.
 * <p>
 * A client may state the file's digest in three ways, all optional: a form field {@code sha256}
 * (hex), or a {@code Content-Digest} or {@code Repr-Digest} field (RFC 9530, {@code sha-256} or
 * {@code sha-512}) among the file part's headers. A stated digest that does not match is refused
 * with 422 and nothing is stored.
 */
final class MultipartUpload {

    /** The largest form field (other than the file) accepted, in bytes. */
    static final int MAX_FIELD_BYTES = 1024;
    /** The most bytes all parts but the file may hold together. */
    static final int MAX_OTHER_BYTES = 64 * 1024;
    /** Algorithms of RFC 9530's registry this server computes, by their registered names. */
    private static final Map<String, String> ALGORITHMS = Map.of("sha-256", "SHA-256", "sha-512", "SHA-512");

    /** A file received in full: where it is, its sha256 and size. */
    record Received(Path path, String sha256, long size) {
    }

    private MultipartUpload() {
    }

    /**
     * Receives the part named {@code file} into a new file in {@code dir}, then hands it to
     * {@code consume}, which owns it from then on (it must move or delete it).
     *
     * @param limit the most bytes the file may have (413 above)
     * @param what  what the file is, for error messages ("model file", "calibration set")
     */
    static <T> Mono<T> receive(Flux<PartEvent> parts, Path dir, String prefix, long limit, String what,
                               Function<Received, Mono<T>> consume) {
        AtomicBoolean handedOver = new AtomicBoolean();
        return Mono.usingWhen(
                Mono.fromCallable(() -> Files.createTempFile(dir, prefix, ".part")).subscribeOn(Schedulers.boundedElastic()),
                path -> write(parts, path, limit, what).flatMap(received -> {
                    handedOver.set(true);
                    return consume.apply(received);
                }),
                path -> deleteUnlessHandedOver(path, handedOver),
                (path, error) -> deleteUnlessHandedOver(path, handedOver),
                path -> deleteUnlessHandedOver(path, handedOver));
    }

    private static Mono<Void> deleteUnlessHandedOver(Path path, AtomicBoolean handedOver) {
        if (handedOver.get()) {
            return Mono.empty();
        }
        return Mono.<Void>fromCallable(() -> {
            Files.deleteIfExists(path);
            return null;
        }).subscribeOn(Schedulers.boundedElastic());
    }

    private static Mono<Received> write(Flux<PartEvent> parts, Path path, long limit, String what) {
        Reading reading = new Reading(limit, what);
        // the codec releases what it still holds when the upload ends early; each event handed over is released here
        Flux<DataBuffer> fileBytes = parts.handle(reading::next);
        return DataBufferUtils.write(fileBytes, path)
                .then(Mono.fromCallable(() -> reading.finish(path)));
    }

    /** The state of one upload as its part events go by, all on the thread that delivers them. */
    private static final class Reading {

        private final long limit;
        private final String what;
        private final MessageDigest sha256 = digest("SHA-256");
        private final Map<String, MessageDigest> stated = new LinkedHashMap<>();
        private final Map<String, byte[]> statedValues = new LinkedHashMap<>();
        private final StringBuilder statedHex = new StringBuilder();
        private boolean partStarts = true;
        private boolean inFile;
        private boolean inDigestField;
        private int fileParts;
        private long size;
        private long otherBytes;
        private String otherFile;
        private ApiException malformed;
        private ApiException refused;

        Reading(long limit, String what) {
            this.limit = limit;
            this.what = what;
        }

        void next(PartEvent event, reactor.core.publisher.SynchronousSink<DataBuffer> sink) {
            DataBuffer content = event.content();
            boolean first = partStarts;
            try {
                if (refused != null) {
                    throw refused;
                }
                partStarts = event.isLast();
                if (first) {
                    startPart(event);
                }
                if (inFile) {
                    accept(content);
                    sink.next(content);
                    content = null;
                } else if ((otherBytes += content.readableByteCount()) > MAX_OTHER_BYTES) {
                    throw ApiException.badRequest("the parts other than 'file' hold more than " + MAX_OTHER_BYTES + " bytes");
                } else if (inDigestField) {
                    if (statedHex.length() + content.readableByteCount() > MAX_FIELD_BYTES) {
                        throw ApiException.badRequest("form field 'sha256' is longer than " + MAX_FIELD_BYTES + " bytes");
                    }
                    statedHex.append(content.toString(StandardCharsets.US_ASCII));
                }
            } catch (RuntimeException e) {
                if (first && e instanceof ApiException refusal && refused == null) {
                    // refusing on a part's first event ends the body under the codec, which then releases what
                    // it handed over once more: refuse on the next event (or at the end) instead
                    refused = refusal;
                    inFile = false;
                } else {
                    sink.error(e);
                }
            } finally {
                if (content != null) {
                    DataBufferUtils.release(content);
                }
            }
        }

        private void startPart(PartEvent event) {
            inFile = event instanceof FilePartEvent && "file".equals(event.name());
            inDigestField = event instanceof FormPartEvent && "sha256".equals(event.name());
            if (inFile) {
                if (++fileParts > 1) {
                    inFile = false;
                    throw ApiException.badRequest("send exactly one part named 'file'");
                }
                readDigestFields(event.headers());
            } else if (event instanceof FilePartEvent && otherFile == null) {
                otherFile = event.name();
            }
        }

        /**
         * Starts the digests the file part's fields ask for. A malformed field is refused once the file
         * is in: refusing on the request's first event cuts the body short under the codec.
         */
        private void readDigestFields(HttpHeaders headers) {
            for (String field : new String[] {"Content-Digest", "Repr-Digest"}) {
                for (String value : headers.getOrEmpty(field)) {
                    try {
                        parseDigestField(field, value);
                    } catch (ApiException e) {
                        malformed = malformed == null ? e : malformed;
                    }
                }
            }
        }

        /** An RFC 9530 digest field: a dictionary of algorithm = :base64 bytes:, e.g. {@code sha-256=:X48E...=:}. */
        private void parseDigestField(String field, String value) {
            for (String member : value.split(",")) {
                int eq = member.indexOf('=');
                if (eq <= 0) {
                    throw ApiException.badRequest(field + " is not an RFC 9530 digest field: " + abbreviate(value));
                }
                String algorithm = member.substring(0, eq).trim().toLowerCase(Locale.ROOT);
                String bytes = member.substring(eq + 1).trim();
                if (!ALGORITHMS.containsKey(algorithm)) {
                    continue; // RFC 9530: algorithms the recipient does not support are ignored
                }
                if (bytes.length() < 2 || bytes.charAt(0) != ':' || bytes.charAt(bytes.length() - 1) != ':') {
                    throw ApiException.badRequest(field + ": the " + algorithm + " value must be a byte sequence :base64:");
                }
                byte[] expected;
                try {
                    expected = Base64.getDecoder().decode(bytes.substring(1, bytes.length() - 1));
                } catch (IllegalArgumentException e) {
                    throw ApiException.badRequest(field + ": the " + algorithm + " value is not base64");
                }
                stated.computeIfAbsent(algorithm, a -> a.equals("sha-256") ? sha256 : digest(ALGORITHMS.get(a)));
                byte[] previous = statedValues.putIfAbsent(algorithm, expected);
                if (previous != null && !MessageDigest.isEqual(previous, expected)) {
                    throw ApiException.badRequest(field + " states two different " + algorithm + " digests");
                }
            }
        }

        private void accept(DataBuffer content) {
            size += content.readableByteCount();
            if (size > limit) {
                throw ApiException.tooLarge(what + " exceeds the upload limit of " + limit + " bytes");
            }
            try (DataBuffer.ByteBufferIterator it = content.readableByteBuffers()) {
                it.forEachRemaining(buffer -> {
                    for (MessageDigest d : stated.values()) {
                        if (d != sha256) {
                            d.update(buffer.duplicate());
                        }
                    }
                    sha256.update(buffer.duplicate());
                });
            }
        }

        Received finish(Path path) {
            if (refused != null) {
                throw refused;
            }
            if (fileParts == 0) {
                throw ApiException.badRequest("multipart request has no part named 'file' holding the " + what
                        + (otherFile == null ? "" : " (it has a file part named '" + otherFile + "')"));
            }
            if (malformed != null) {
                throw malformed;
            }
            byte[] actual = sha256.digest();
            String hex = HexFormat.of().formatHex(actual);
            String field = statedHex.toString().trim().toLowerCase(Locale.ROOT);
            if (!field.isEmpty() && !field.equals(hex)) {
                throw mismatch("form field sha256 says " + abbreviate(field) + ", the " + size + " bytes received hash to " + hex);
            }
            for (Map.Entry<String, byte[]> e : statedValues.entrySet()) {
                byte[] computed = e.getKey().equals("sha-256") ? actual : stated.get(e.getKey()).digest();
                if (!MessageDigest.isEqual(computed, e.getValue())) {
                    throw mismatch("the file part's " + e.getKey() + " digest does not match the " + size + " bytes received");
                }
            }
            return new Received(path, hex, size);
        }

        private ApiException mismatch(String detail) {
            return new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, what + " did not arrive as sent: " + detail + "; nothing was stored");
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
