package dev.otimo.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * Model files addressed by the sha256 of their bytes. The local directory store is the embedded
 * default; a database-backed store implements the same contract for several replicas.
 */
public interface ArtifactStore {

    /**
     * Takes ownership of a file whose sha256 the caller computed while receiving it. Storing the
     * same content twice keeps one copy.
     */
    void put(String sha256, Path file) throws IOException;

    boolean contains(String sha256);

    /** A local file holding the artifact (ONNX Runtime loads models from files). */
    Path localPath(String sha256) throws IOException;

    InputStream open(String sha256) throws IOException;

    /** Removes the artifact; callers make sure no version refers to it any more. */
    void delete(String sha256) throws IOException;
}
