package dev.otimo.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The instruction-set features of this host that decide how ONNX Runtime's CPU kernels run int8
 * arithmetic, read from the first {@code flags} line of {@code /proc/cpuinfo}.
 *
 * <p>On x86-64, ONNX Runtime multiplies uint8 activations by int8 weights with a dot-product
 * instruction when the CPU has one (AVX512-VNNI, AVX-VNNI or AMX). Without it, on AVX2 or plain
 * AVX-512, it uses {@code VPMADDUBSW}, which adds each pair of products in a signed 16-bit lane and
 * saturates: two products of a full-range weight (±127) and a large activation overflow it. Weights
 * kept to 7 bits (±63) cannot overflow it.
 *
 * @param architecture  {@code os.arch}
 * @param flags         the CPU flags, lower case; empty where they cannot be read
 * @param int8DotProduct whether int8 products are summed without 16-bit saturation on this host
 */
public record CpuFeatures(String architecture, Set<String> flags, boolean int8DotProduct) {

    private static final Set<String> X86_DOT_PRODUCT = Set.of("avx512_vnni", "avx_vnni", "amx_int8");
    private static final Set<String> REPORTED = Set.of("avx2", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8",
            "asimddp", "i8mm", "sve");

    private static final CpuFeatures HOST = read(Path.of("/proc/cpuinfo"), System.getProperty("os.arch", ""));

    /** This host's features, read once. */
    public static CpuFeatures host() {
        return HOST;
    }

    /** Parses a cpuinfo file; where it cannot be read, only the architecture is known. */
    static CpuFeatures read(Path cpuinfo, String architecture) {
        String text;
        try {
            text = Files.readString(cpuinfo);
        } catch (IOException | RuntimeException e) {
            text = "";
        }
        return parse(text, architecture);
    }

    static CpuFeatures parse(String cpuinfo, String architecture) {
        Set<String> flags = new TreeSet<>();
        for (String line : cpuinfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            if (key.equals("flags") || key.equals("features")) {
                Arrays.stream(line.substring(colon + 1).trim().split("\\s+"))
                        .filter(f -> !f.isEmpty())
                        .map(f -> f.toLowerCase(Locale.ROOT))
                        .forEach(flags::add);
                break;
            }
        }
        boolean x86 = isX86(architecture);
        // Off x86 (ARM's SDOT/UDOT, or scalar code) int8 products are summed in 32 bits. On x86 with
        // unreadable flags, assume the older kernels: reduced weights cost little accuracy, overflow a lot.
        boolean dot = !x86 || flags.stream().anyMatch(X86_DOT_PRODUCT::contains);
        return new CpuFeatures(architecture, Set.copyOf(flags), dot);
    }

    private static boolean isX86(String architecture) {
        String a = architecture.toLowerCase(Locale.ROOT);
        return a.equals("amd64") || a.equals("x86_64") || a.equals("x86") || a.equals("i386") || a.equals("i686");
    }

    /** The flags that matter for int8 and vector kernels, for reports and benchmark results. */
    public Set<String> relevantFlags() {
        Set<String> out = new TreeSet<>(flags);
        out.retainAll(REPORTED);
        return out;
    }

    /** One line for reports, e.g. {@code amd64 [avx2], int8 products summed in 16 bits (no VNNI)}. */
    public String describe() {
        return architecture + " " + relevantFlags() + ", "
                + (int8DotProduct ? "int8 dot-product instructions" : "int8 products summed in 16 bits (no VNNI)");
    }
}
