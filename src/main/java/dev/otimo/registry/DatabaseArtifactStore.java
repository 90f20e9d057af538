package dev.otimo.registry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Artifacts as chunks in the registry database (tables {@code artifact} and {@code artifact_chunk}),
 * so that every replica sharing the database can load every version. Files go in and come out one
 * chunk at a time, never whole in memory. Each replica keeps the files it needed in a local cache
 * under the data directory; a file fetched from the database enters the cache only when its bytes
 * hash to its sha256.
 */
public final class DatabaseArtifactStore implements ArtifactStore {

    private static final Logger log = LoggerFactory.getLogger(DatabaseArtifactStore.class);
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final String UNIQUE_VIOLATION = "23505";

    private final DataSource dataSource;
    private final LocalArtifactStore cache;
    private final Path staging;
    private final int chunkSize;

    /**
     * @param cacheDir  where fetched artifacts are kept, by sha256
     * @param chunkSize bytes per chunk row
     */
    public DatabaseArtifactStore(DataSource dataSource, Path cacheDir, int chunkSize) throws IOException {
        if (chunkSize <= 0) {
            throw new IllegalArgumentException("chunk size must be positive, was " + chunkSize);
        }
        this.dataSource = dataSource;
        this.cache = new LocalArtifactStore(cacheDir);
        this.staging = Files.createDirectories(cacheDir.resolve("incoming"));
        this.chunkSize = chunkSize;
    }

    @Override
    public void put(String sha256, Path file) throws IOException {
        check(sha256);
        if (!contains(sha256)) {
            insert(sha256, file);
        }
        cache.put(sha256, file);
    }

    private void insert(String sha256, Path file) throws IOException {
        long size = Files.size(file);
        int chunks = (int) ((size + chunkSize - 1) / chunkSize);
        MessageDigest digest = sha256();
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try (InputStream in = Files.newInputStream(file);
                 PreparedStatement head = c.prepareStatement(
                         "insert into artifact (sha256, size_bytes, chunks, created_at) values (?, ?, ?, ?)");
                 PreparedStatement chunk = c.prepareStatement(
                         "insert into artifact_chunk (sha256, seq, data) values (?, ?, ?)")) {
                head.setString(1, sha256);
                head.setLong(2, size);
                head.setInt(3, chunks);
                head.setObject(4, OffsetDateTime.now(ZoneOffset.UTC));
                head.executeUpdate();
                byte[] buffer = new byte[chunkSize];
                for (int seq = 0; seq < chunks; seq++) {
                    int n = in.readNBytes(buffer, 0, chunkSize);
                    if (n <= 0) {
                        throw new IOException("artifact " + sha256 + " ended early at chunk " + seq + " of " + chunks);
                    }
                    digest.update(buffer, 0, n);
                    chunk.setString(1, sha256);
                    chunk.setInt(2, seq);
                    chunk.setBytes(3, n == chunkSize ? buffer : Arrays.copyOf(buffer, n));
                    chunk.executeUpdate();
                }
                String actual = HexFormat.of().formatHex(digest.digest());
                if (in.read() >= 0 || !actual.equals(sha256)) {
                    throw new IOException("file for artifact " + sha256 + " changed while it was stored (its bytes hash to " + actual + ")");
                }
                c.commit();
                log.debug("stored artifact {} ({} bytes, {} chunks) in the database", sha256, size, chunks);
            } catch (SQLException | IOException | RuntimeException e) {
                c.rollback();
                if (e instanceof SQLException sql && UNIQUE_VIOLATION.equals(sql.getSQLState()) && contains(sha256)) {
                    return; // another replica stored the same content first
                }
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new IOException("storing artifact " + sha256 + " in the database failed: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean contains(String sha256) {
        check(sha256);
        try {
            return head(sha256) != null;
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * The cached file, or the artifact fetched from the database into the cache first. A fetched file
     * whose bytes do not hash to {@code sha256} is discarded and reported.
     */
    @Override
    public Path localPath(String sha256) throws IOException {
        check(sha256);
        if (cache.contains(sha256)) {
            return cache.localPath(sha256);
        }
        long started = System.nanoTime();
        Path part = Files.createTempFile(staging, sha256.substring(0, 12) + "-", ".part");
        try {
            MessageDigest digest = sha256();
            long size = 0;
            try (InputStream in = new ChunkStream(sha256); OutputStream out = Files.newOutputStream(part)) {
                byte[] buffer = new byte[64 * 1024];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    digest.update(buffer, 0, n);
                    out.write(buffer, 0, n);
                    size += n;
                }
            }
            String actual = HexFormat.of().formatHex(digest.digest());
            if (!actual.equals(sha256)) {
                throw new IOException("artifact " + sha256 + " in the database is corrupt: its " + size
                        + " bytes hash to " + actual);
            }
            cache.put(sha256, part);
            log.info("fetched artifact {} ({} bytes) from the database in {} ms", sha256, size,
                    (System.nanoTime() - started) / 1_000_000);
            return cache.localPath(sha256);
        } finally {
            Files.deleteIfExists(part);
        }
    }

    /** The cached file when there is one, otherwise the chunks straight from the database. */
    @Override
    public InputStream open(String sha256) throws IOException {
        check(sha256);
        return cache.contains(sha256) ? cache.open(sha256) : new ChunkStream(sha256);
    }

    /** Removes the chunks, the artifact row and this replica's cached copy. */
    @Override
    public void delete(String sha256) throws IOException {
        check(sha256);
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try (PreparedStatement chunks = c.prepareStatement("delete from artifact_chunk where sha256 = ?");
                 PreparedStatement head = c.prepareStatement("delete from artifact where sha256 = ?")) {
                chunks.setString(1, sha256);
                chunks.executeUpdate();
                head.setString(1, sha256);
                head.executeUpdate();
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new IOException("deleting artifact " + sha256 + " from the database failed: " + e.getMessage(), e);
        }
        cache.delete(sha256);
    }

    private record Head(long size, int chunks) {
    }

    private Head head(String sha256) throws IOException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("select size_bytes, chunks from artifact where sha256 = ?")) {
            s.setString(1, sha256);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? new Head(rs.getLong(1), rs.getInt(2)) : null;
            }
        } catch (SQLException e) {
            throw new IOException("reading artifact " + sha256 + " from the database failed: " + e.getMessage(), e);
        }
    }

    /** The artifact's bytes, fetched one chunk (one short query) at a time. */
    private final class ChunkStream extends InputStream {

        private final String sha256;
        private final Head head;
        private int next;
        private byte[] chunk = new byte[0];
        private int position;
        private long delivered;

        ChunkStream(String sha256) throws IOException {
            this.sha256 = sha256;
            this.head = head(sha256);
            if (head == null) {
                throw new NoSuchFileException(sha256, null, "artifact " + sha256 + " is not in the database");
            }
        }

        @Override
        public int read() throws IOException {
            return fill() ? chunk[position++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!fill()) {
                return -1;
            }
            int n = Math.min(len, chunk.length - position);
            System.arraycopy(chunk, position, b, off, n);
            position += n;
            return n;
        }

        private boolean fill() throws IOException {
            while (position == chunk.length) {
                if (next == head.chunks()) {
                    if (delivered != head.size()) {
                        throw new IOException("artifact " + sha256 + " has " + delivered + " bytes in its chunks, "
                                + head.size() + " expected");
                    }
                    return false;
                }
                chunk = chunk(next);
                position = 0;
                delivered += chunk.length;
                next++;
            }
            return true;
        }

        private byte[] chunk(int seq) throws IOException {
            try (Connection c = dataSource.getConnection();
                 PreparedStatement s = c.prepareStatement("select data from artifact_chunk where sha256 = ? and seq = ?")) {
                s.setString(1, sha256);
                s.setInt(2, seq);
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) {
                        throw new IOException("artifact " + sha256 + " lacks chunk " + seq + " of " + head.chunks()
                                + " in the database (deleted meanwhile?)");
                    }
                    return rs.getBytes(1);
                }
            } catch (SQLException e) {
                throw new IOException("reading chunk " + seq + " of artifact " + sha256 + " failed: " + e.getMessage(), e);
            }
        }
    }

    private static void check(String sha256) {
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("not a sha256: " + sha256);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
