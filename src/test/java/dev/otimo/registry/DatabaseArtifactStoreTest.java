package dev.otimo.registry;

import dev.otimo.support.ServerTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The database artifact store on PostgreSQL: files cut into 1 MiB chunks on the way in, streamed back
 * byte for byte, cached locally, checked against their hash when fetched, removed with their chunks.
 */
class DatabaseArtifactStoreTest extends ServerTest {

    private static final int CHUNK = 1 << 20;

    @Autowired
    DataSource dataSource;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    ArtifactStore configured;

    private Path dir;
    private DatabaseArtifactStore store;

    @BeforeEach
    void store() throws IOException {
        dir = Files.createTempDirectory("otimo-store-");
        store = new DatabaseArtifactStore(dataSource, dir.resolve("cache"), CHUNK);
    }

    @Test
    void isTheStoreInUseOnPostgres() {
        assertThat(configured).isInstanceOf(DatabaseArtifactStore.class);
    }

    @Test
    void multiChunkFileRoundTripsByteForByte() throws Exception {
        byte[] content = randomBytes(2 * CHUNK + 12_345, 1);
        String sha = sha256(content);
        store.put(sha, write(content));

        assertThat(store.contains(sha)).isTrue();
        assertThat(jdbc.queryForObject("select count(*) from artifact_chunk where sha256 = ?", Integer.class, sha)).isEqualTo(3);
        assertThat(jdbc.queryForObject("select max(length(data)) from artifact_chunk where sha256 = ?", Integer.class, sha)).isEqualTo(CHUNK);
        assertThat(jdbc.queryForObject("select size_bytes from artifact where sha256 = ?", Long.class, sha)).isEqualTo(content.length);

        // a second store shares the database, not the cache: it streams the chunks back
        DatabaseArtifactStore other = new DatabaseArtifactStore(dataSource, dir.resolve("other-cache"), CHUNK);
        try (InputStream in = other.open(sha)) {
            assertThat(readInSmallSteps(in)).isEqualTo(content);
        }
        Path materialised = other.localPath(sha);
        assertThat(materialised).startsWith(dir.resolve("other-cache"));
        assertThat(Files.readAllBytes(materialised)).isEqualTo(content);
    }

    @Test
    void deleteRemovesChunksAndCachedFile() throws Exception {
        byte[] content = randomBytes(CHUNK + 1, 2);
        String sha = sha256(content);
        store.put(sha, write(content));
        Path cached = store.localPath(sha);

        store.delete(sha);

        assertThat(store.contains(sha)).isFalse();
        assertThat(jdbc.queryForObject("select count(*) from artifact_chunk where sha256 = ?", Integer.class, sha)).isZero();
        assertThat(cached).doesNotExist();
        assertThatThrownBy(() -> store.localPath(sha)).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void cacheMissFetchesAgainFromTheDatabase() throws Exception {
        byte[] content = randomBytes(3 * CHUNK, 3);
        String sha = sha256(content);
        store.put(sha, write(content));
        Path cached = store.localPath(sha);
        Files.delete(cached);

        Path again = store.localPath(sha);

        assertThat(again).isEqualTo(cached).exists();
        assertThat(Files.readAllBytes(again)).isEqualTo(content);
    }

    @Test
    void corruptChunkIsRefusedWhenFetched() throws Exception {
        byte[] content = randomBytes(2 * CHUNK + 7, 4);
        String sha = sha256(content);
        store.put(sha, write(content));
        Files.delete(store.localPath(sha));
        byte[] flipped = randomBytes(CHUNK, 5);
        jdbc.update("update artifact_chunk set data = ? where sha256 = ? and seq = 1", flipped, sha);

        assertThatThrownBy(() -> store.localPath(sha)).isInstanceOf(IOException.class).hasMessageContaining("corrupt");
        assertThat(dir.resolve("cache").resolve(sha.substring(0, 2)).resolve(sha + ".onnx")).doesNotExist();
        store.delete(sha);
    }

    @Test
    void storingTheSameContentTwiceKeepsOneCopy() throws Exception {
        byte[] content = randomBytes(CHUNK / 2, 6);
        String sha = sha256(content);
        store.put(sha, write(content));
        new DatabaseArtifactStore(dataSource, dir.resolve("second"), CHUNK).put(sha, write(content));

        assertThat(jdbc.queryForObject("select count(*) from artifact where sha256 = ?", Integer.class, sha)).isEqualTo(1);
        assertThat(jdbc.queryForObject("select count(*) from artifact_chunk where sha256 = ?", Integer.class, sha)).isEqualTo(1);
    }

    @Test
    void fileThatDoesNotMatchItsHashIsNotStored() throws Exception {
        byte[] content = randomBytes(CHUNK + 10, 7);
        String wrong = sha256(randomBytes(10, 8));

        assertThatThrownBy(() -> store.put(wrong, write(content))).isInstanceOf(IOException.class);
        assertThat(store.contains(wrong)).isFalse();
        assertThat(jdbc.queryForObject("select count(*) from artifact_chunk where sha256 = ?", Integer.class, wrong)).isZero();
    }

    private Path write(byte[] content) throws IOException {
        Path file = Files.createTempFile(dir, "upload-", ".onnx");
        Files.write(file, content);
        return file;
    }

    private static byte[] readInSmallSteps(InputStream in) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] buffer = new byte[8191];
        for (int n; (n = in.read(buffer)) > 0; ) {
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static String sha256(byte[] content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }
}
