package dev.otimo.runtime;

import java.nio.file.Files;
import java.nio.file.Path;

/** Whether this machine has an NVIDIA GPU with the CUDA 12 / cuDNN 9 libraries ONNX Runtime needs. */
final class GpuProbe {

    private GpuProbe() {
    }

    static boolean nvidiaGpuPresent() {
        return Files.exists(Path.of("/dev/nvidia0")) || Files.exists(Path.of("/proc/driver/nvidia/version"));
    }

    static boolean cudaUsable() {
        return nvidiaGpuPresent() && library("libcublasLt.so.12") && library("libcudnn.so.9");
    }

    private static boolean library(String name) {
        try {
            Process p = new ProcessBuilder("sh", "-c", "ldconfig -p | grep -q " + name).start();
            return p.waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }
}
