package dev.otimo.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.regex.Pattern;

/** Artifacts as files under {@code <dataDir>/artifacts/<first two hex digits>/<sha256>.onnx}. */
public final class LocalArtifactStore implements ArtifactStore {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private final Path root;

    public LocalArtifactStore(Path root) throws IOException {
        this.root = Files.createDirectories(root);
    }

    @Override
    public void put(String sha256, Path file) throws IOException {
        Path target = path(sha256);
        Files.createDirectories(target.getParent());
        try {
            Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            Files.deleteIfExists(file);
        }
        if (Files.exists(file) && Files.exists(target)) {
            // ATOMIC_MOVE replaces on some platforms, keeps the source on others
            Files.delete(file);
        }
    }

    @Override
    public boolean contains(String sha256) {
        return Files.isRegularFile(path(sha256));
    }

    @Override
    public Path localPath(String sha256) throws IOException {
        Path p = path(sha256);
        if (!Files.isRegularFile(p)) {
            throw new NoSuchFileException(p.toString(), null, "artifact " + sha256 + " is not in the store");
        }
        return p;
    }

    @Override
    public InputStream open(String sha256) throws IOException {
        return Files.newInputStream(localPath(sha256));
    }

    @Override
    public void delete(String sha256) throws IOException {
        Files.deleteIfExists(path(sha256));
    }

    private Path path(String sha256) {
        if (!SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("not a sha256: " + sha256);
        }
        return root.resolve(sha256.substring(0, 2)).resolve(sha256 + ".onnx");
    }
}
