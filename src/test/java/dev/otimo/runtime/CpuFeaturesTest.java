package dev.otimo.runtime;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class CpuFeaturesTest {

    private static final String AVX2_ONLY = """
            processor\t: 0
            model name\t: AMD EPYC
            flags\t\t: fpu sse sse2 ssse3 fma avx avx2 bmi1 bmi2 sha_ni
            processor\t: 1
            flags\t\t: fpu avx512_vnni
            """;

    @Test
    void avx2WithoutVnniSumsInt8ProductsIn16Bits() {
        CpuFeatures cpu = CpuFeatures.parse(AVX2_ONLY, "amd64");
        assertThat(cpu.int8DotProduct()).isFalse();
        assertThat(cpu.relevantFlags()).containsExactly("avx2");
        assertThat(cpu.describe()).contains("[avx2]").contains("no VNNI");
    }

    @Test
    void avx512VnniAvxVnniAndAmxCountAsDotProduct() {
        for (String flag : new String[] {"avx512_vnni", "avx_vnni", "amx_int8"}) {
            CpuFeatures cpu = CpuFeatures.parse("flags : avx2 avx512f " + flag + "\n", "x86_64");
            assertThat(cpu.int8DotProduct()).as(flag).isTrue();
            assertThat(cpu.relevantFlags()).as(flag).contains(flag);
        }
    }

    @Test
    void armIsNeverLimitedTo16BitSums() {
        CpuFeatures cpu = CpuFeatures.parse("Features\t: fp asimd asimddp i8mm\n", "aarch64");
        assertThat(cpu.int8DotProduct()).isTrue();
        assertThat(cpu.relevantFlags()).containsExactly("asimddp", "i8mm");
    }

    @Test
    void unreadableCpuinfoOnX86AssumesNoDotProduct() {
        CpuFeatures cpu = CpuFeatures.read(Path.of("/nonexistent/cpuinfo"), "amd64");
        assertThat(cpu.flags()).isEmpty();
        assertThat(cpu.int8DotProduct()).isFalse();
    }

    @Test
    void thisHostIsReadOnce() {
        assertThat(CpuFeatures.host()).isSameAs(CpuFeatures.host());
        assertThat(CpuFeatures.host().architecture()).isEqualTo(System.getProperty("os.arch"));
    }
}
