package dev.otimo.runtime;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.otimo.onnx.ModelInspector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The process's single {@link OrtEnvironment} and the factory of sessions. Picks the execution
 * provider from the deployment's device and falls back to CPU, saying why, when it cannot load.
 */
public final class OrtRuntime {

    private static final Logger log = LoggerFactory.getLogger(OrtRuntime.class);

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();

    public OrtEnvironment environment() {
        return env;
    }

    /**
     * Opens a session on the model file.
     *
     * @param signature the signature read by {@link ModelInspector}
     * @throws OrtException when the model cannot be loaded even on CPU
     */
    public ModelSession open(Path modelFile, Signature signature, Device device, SessionSettings settings)
            throws OrtException, IOException {
        Loadable model = loadable(modelFile, signature);
        String fallback = null;
        if (device.kind() != Device.Kind.CPU) {
            try (OrtSession.SessionOptions options = options(settings)) {
                addProvider(options, device);
                return new ModelSession(env, model.create(env, options), signature, new Placement(device, device, null), model.names());
            } catch (OrtException | RuntimeException | UnsatisfiedLinkError e) {
                fallback = reason(e);
                log.warn("device {} unavailable for {}, running on CPU: {}", device, modelFile.getFileName(), fallback);
            }
        }
        try (OrtSession.SessionOptions options = options(settings)) {
            return new ModelSession(env, model.create(env, options), signature, new Placement(device, Device.CPU, fallback),
                    model.names());
        }
    }

    /**
     * Opens a session on CPU only to learn whether ONNX Runtime accepts the model (an upload's last
     * check), spending as little as loading allows: no graph optimisation, so nothing is constant-folded
     * (a {@code ConstantOfShape} of a huge constant shape would be materialised at load otherwise), one
     * thread, no arena and no memory patterns. The deployment's own settings apply when it is deployed.
     *
     * @throws OrtException when ONNX Runtime cannot load the model
     */
    public ModelSession openForValidation(Path modelFile, Signature signature) throws OrtException, IOException {
        Loadable model = loadable(modelFile, signature);
        try (OrtSession.SessionOptions options = validationOptions()) {
            return new ModelSession(env, model.create(env, options), signature, new Placement(Device.CPU, Device.CPU, null),
                    model.names());
        }
    }

    /** The model file, or its bytes rewritten with unsigned inputs and outputs adapted, and the session's names. */
    private record Loadable(Path file, byte[] bytes, Map<String, String> names) {

        OrtSession create(OrtEnvironment env, OrtSession.SessionOptions options) throws OrtException {
            return bytes != null ? env.createSession(bytes, options) : env.createSession(file.toString(), options);
        }
    }

    private static Loadable loadable(Path modelFile, Signature signature) throws IOException {
        if (!UnsignedIoAdapter.needed(signature)) {
            return new Loadable(modelFile, null, Map.of());
        }
        ModelProto proto;
        try (InputStream in = Files.newInputStream(modelFile)) {
            proto = ModelInspector.parse(in);
        }
        UnsignedIoAdapter.Adapted adapted = UnsignedIoAdapter.adapt(proto, signature);
        return new Loadable(modelFile, adapted.model().toByteArray(), adapted.sessionNames());
    }

    static OrtSession.SessionOptions validationOptions() throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(1);
        options.setInterOpNumThreads(1);
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
        options.setCPUArenaAllocator(false);
        options.setMemoryPatternOptimization(false);
        options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        options.addConfigEntry("session.intra_op.allow_spinning", "0");
        options.addConfigEntry("session.inter_op.allow_spinning", "0");
        return options;
    }

    private static void addProvider(OrtSession.SessionOptions options, Device device) throws OrtException {
        switch (device.kind()) {
            case CUDA -> options.addCUDA(device.id());
            case TENSORRT -> {
                options.addTensorrt(device.id());
                // operators TensorRT cannot take still run on the GPU
                options.addCUDA(device.id());
            }
            case CPU -> { }
        }
    }

    static OrtSession.SessionOptions options(SessionSettings settings) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        if (settings.intraOpThreads() > 0) {
            options.setIntraOpNumThreads(settings.intraOpThreads());
        }
        if (settings.interOpThreads() > 0) {
            options.setInterOpNumThreads(settings.interOpThreads());
        }
        options.setOptimizationLevel(optimizationLevel(settings.optimizationLevel()));
        options.setCPUArenaAllocator(settings.memoryArena());
        options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        String spin = settings.allowSpinning() ? "1" : "0";
        options.addConfigEntry("session.intra_op.allow_spinning", spin);
        options.addConfigEntry("session.inter_op.allow_spinning", spin);
        return options;
    }

    static OrtSession.SessionOptions.OptLevel optimizationLevel(String name) {
        return switch (name == null ? "all" : name.toLowerCase(Locale.ROOT)) {
            case "none", "disabled" -> OrtSession.SessionOptions.OptLevel.NO_OPT;
            case "basic" -> OrtSession.SessionOptions.OptLevel.BASIC_OPT;
            case "extended" -> OrtSession.SessionOptions.OptLevel.EXTENDED_OPT;
            case "all" -> OrtSession.SessionOptions.OptLevel.ALL_OPT;
            default -> throw new IllegalArgumentException("optimization level '" + name
                    + "' is not one of none, basic, extended, all");
        };
    }

    private static String reason(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        String firstLine = message.lines().findFirst().orElse(message).trim();
        return firstLine.length() > 300 ? firstLine.substring(0, 300) + "…" : firstLine;
    }
}
