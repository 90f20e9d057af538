package dev.otimo.api.admin;

import dev.otimo.api.ApiException;
import org.apache.commons.fileupload2.core.FileUploadSizeException;
import org.apache.commons.fileupload2.core.MultipartInput;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
 * Why not the framework's multipart reader: cancelling its part stream while it flushes the buffers
 * that end a part releases those buffers a second time (its parser keeps them queued while handing
 * them out), which corrupts the connection's inbound buffer; every refusal mid-body (a second
 * {@code file} part, a file over the limit) cancels. Here the raw request body is read as a blocking
 * stream on a worker thread and parsed by Commons FileUpload's streaming parser: each network buffer
 * is copied out and released exactly once by the stream, and a refusal just closes it.
 * <p>
 * Every byte of the file is counted and hashed on its way to the temporary file; the first file part
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
    /** The most bytes the headers of one part may hold. */
    static final int MAX_PART_HEADER_BYTES = 16 * 1024;
    /** Network buffers the body stream may hold before the reader takes them (bounds memory per upload). */
    private static final int PREFETCHED_BUFFERS = 16;
    /** The parser's read buffer, and the size of each write to the temporary file. */
    private static final int COPY_BUFFER_BYTES = 64 * 1024;
    /** Algorithms of RFC 9530's registry this server computes, by their registered names. */
    private static final Map<String, String> ALGORITHMS = Map.of("sha-256", "SHA-256", "sha-512", "SHA-512");

    /** A file received in full: where it is, its sha256 and size. */
    record Received(Path path, String sha256, long size) {
    }

    private MultipartUpload() {
    }

    /**
     * Receives the part named {@code file} of {@code request}'s multipart body into a new file in
     * {@code dir}, then hands it to {@code consume}, which owns it from then on (it must move or delete it).
     *
     * @param limit the most bytes the file may have (413 above)
     * @param what  what the file is, for error messages ("model file", "calibration set")
     */
    static <T> Mono<T> receive(ServerHttpRequest request, Path dir, String prefix, long limit, String what,
                               Function<Received, Mono<T>> consume) {
        byte[] boundary = boundary(request.getHeaders().getContentType());
        AtomicBoolean handedOver = new AtomicBoolean();
        return Mono.usingWhen(
                Mono.fromCallable(() -> Files.createTempFile(dir, prefix, ".part")).subscribeOn(Schedulers.boundedElastic()),
                path -> Mono.fromCallable(() -> read(request, boundary, path, limit, what))
                        .subscribeOn(Schedulers.boundedElastic())
                        .flatMap(received -> {
                            handedOver.set(true);
                            return consume.apply(received);
                        }),
                path -> deleteUnlessHandedOver(path, handedOver),
                (path, error) -> deleteUnlessHandedOver(path, handedOver),
                path -> deleteUnlessHandedOver(path, handedOver));
    }

    private static byte[] boundary(MediaType contentType) {
        String boundary = contentType == null ? null : contentType.getParameter("boundary");
        if (boundary != null && boundary.length() >= 2 && boundary.startsWith("\"") && boundary.endsWith("\"")) {
            boundary = boundary.substring(1, boundary.length() - 1);
        }
        if (boundary == null || boundary.isEmpty() || boundary.length() > 70) {
            throw ApiException.badRequest("Content-Type must be multipart/form-data with a boundary of 1 to 70 characters");
        }
        return boundary.getBytes(StandardCharsets.US_ASCII);
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

    /** Reads the whole body, on a worker thread; closing the body stream cancels what is left of it. */
    private static Received read(ServerHttpRequest request, byte[] boundary, Path path, long limit, String what)
            throws IOException {
        Reading reading = new Reading(limit, what);
        try (InputStream body = DataBufferUtils.subscriberInputStream(request.getBody(), PREFETCHED_BUFFERS);
             FileChannel file = FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            MultipartInput parts = MultipartInput.builder().setInputStream(body).setBoundary(boundary)
                    .setBufferSize(COPY_BUFFER_BYTES).setMaxPartHeaderSize(MAX_PART_HEADER_BYTES).get();
            parts.setHeaderCharset(StandardCharsets.UTF_8);
            try {
                if (!parts.skipPreamble()) {
                    throw ApiException.badRequest("multipart body holds no part");
                }
                do {
                    reading.part(headers(parts.readHeaders()), parts, file);
                } while (parts.readBoundary());
            } catch (MultipartInput.MalformedStreamException | FileUploadSizeException e) {
                throw ApiException.badRequest("malformed multipart body: " + e.getMessage());
            }
            file.force(false);
        }
        return reading.finish(path);
    }

    /** A part's header block, as the parser hands it over (lines separated by CRLF). */
    private static HttpHeaders headers(String block) {
        HttpHeaders headers = new HttpHeaders();
        for (String line : block.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.add(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
            }
        }
        return headers;
    }

    /** The state of one upload as its parts go by, on the one thread that reads the body. */
    private static final class Reading {

        private final long limit;
        private final String what;
        private final MessageDigest sha256 = digest("SHA-256");
        private final Map<String, MessageDigest> stated = new LinkedHashMap<>();
        private final Map<String, byte[]> statedValues = new LinkedHashMap<>();
        private final StringBuilder statedHex = new StringBuilder();
        private int fileParts;
        private long size;
        private long otherBytes;
        private String otherFile;

        Reading(long limit, String what) {
            this.limit = limit;
            this.what = what;
        }

        /** Reads one part's body: the file into {@code file}, the digest field into memory, anything else counted and dropped. */
        void part(HttpHeaders headers, MultipartInput parts, FileChannel file) throws IOException {
            ContentDisposition disposition = disposition(headers);
            String name = disposition.getName();
            boolean isFile = disposition.getFilename() != null;
            if (isFile && "file".equals(name)) {
                if (++fileParts > 1) {
                    throw ApiException.badRequest("send exactly one part named 'file'");
                }
                readDigestFields(headers);
                parts.readBodyData(new FileSink(file));
            } else {
                if (isFile && otherFile == null) {
                    otherFile = name;
                }
                boolean digestField = !isFile && "sha256".equals(name);
                parts.readBodyData(new OtherSink(digestField));
            }
        }

        private static ContentDisposition disposition(HttpHeaders headers) {
            String value = headers.getFirst(HttpHeaders.CONTENT_DISPOSITION);
            if (value == null) {
                throw ApiException.badRequest("a multipart part has no Content-Disposition header");
            }
            try {
                return ContentDisposition.parse(value);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("a part's Content-Disposition cannot be read: " + abbreviate(value));
            }
        }

        /** Counts, hashes and writes the file's bytes; refuses the byte that passes the limit. */
        private final class FileSink extends OutputStream {

            private final FileChannel file;

            FileSink(FileChannel file) {
                this.file = file;
            }

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                size += length;
                if (size > limit) {
                    throw ApiException.tooLarge(what + " exceeds the upload limit of " + limit + " bytes");
                }
                sha256.update(bytes, offset, length);
                for (MessageDigest d : stated.values()) {
                    if (d != sha256) {
                        d.update(bytes, offset, length);
                    }
                }
                ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, length);
                while (buffer.hasRemaining()) {
                    file.write(buffer);
                }
            }
        }

        /** Counts the bytes of the parts other than the file against their allowance; keeps the digest field. */
        private final class OtherSink extends OutputStream {

            private final boolean digestField;

            OtherSink(boolean digestField) {
                this.digestField = digestField;
            }

            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) {
                if ((otherBytes += length) > MAX_OTHER_BYTES) {
                    throw ApiException.badRequest("the parts other than 'file' hold more than " + MAX_OTHER_BYTES + " bytes");
                }
                if (digestField) {
                    if (statedHex.length() + length > MAX_FIELD_BYTES) {
                        throw ApiException.badRequest("form field 'sha256' is longer than " + MAX_FIELD_BYTES + " bytes");
                    }
                    statedHex.append(new String(bytes, offset, length, StandardCharsets.US_ASCII));
                }
            }
        }

        /** Starts the digests the file part's fields ask for; a malformed field is refused with 400. */
        private void readDigestFields(HttpHeaders headers) {
            for (String field : new String[] {"Content-Digest", "Repr-Digest"}) {
                for (String value : headers.getOrEmpty(field)) {
                    parseDigestField(field, value);
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

        Received finish(Path path) {
            if (fileParts == 0) {
                throw ApiException.badRequest("multipart request has no part named 'file' holding the " + what
                        + (otherFile == null ? "" : " (it has a file part named '" + otherFile + "')"));
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
