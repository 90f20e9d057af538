package dev.otimo.routing;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The policy's rules, its primary, the guard's roll-back and the bucket layout, without a server. */
class RoutingPolicyTest {

    private static RoutingPolicy split(int... versionWeight) {
        List<RoutingPolicy.Variant> variants = new java.util.ArrayList<>();
        for (int i = 0; i < versionWeight.length; i += 2) {
            variants.add(new RoutingPolicy.Variant(versionWeight[i], versionWeight[i + 1]));
        }
        return new RoutingPolicy(variants, null, null, null);
    }

    @Test
    void primaryIsTheHeaviestVariantAndTheFirstAmongEquals() {
        assertThat(split(1, 20, 2, 80).primaryVersion()).isEqualTo(2);
        assertThat(split(3, 50, 1, 50).primaryVersion()).isEqualTo(3);
    }

    @Test
    void rollingBackAVariantMovesItsWeightToThePrimary() {
        RoutingPolicy rolledBack = split(1, 70, 2, 20, 3, 10).withoutVariant(3);
        assertThat(rolledBack.variants()).containsExactly(new RoutingPolicy.Variant(1, 80), new RoutingPolicy.Variant(2, 20),
                new RoutingPolicy.Variant(3, 0));
        assertThat(split(1, 70, 2, 30).withoutVariant(1).variants()).as("the primary stays")
                .containsExactly(new RoutingPolicy.Variant(1, 70), new RoutingPolicy.Variant(2, 30));
    }

    @Test
    void weightsMustSumTo100() {
        assertThatThrownBy(() -> split(1, 60, 2, 30).validated()).hasMessageContaining("sum to 90");
        assertThat(split(1, 100, 2, 0).validated()).isNotNull();
    }

    @Test
    void guardNeedsALimitAndASaneWindow() {
        RoutingPolicy base = split(1, 90, 2, 10);
        assertThatThrownBy(() -> new RoutingPolicy(base.variants(), null, null, new RoutingPolicy.Guard(null, null, 60)).validated())
                .hasMessageContaining("maxErrorRate, maxP99Millis");
        assertThatThrownBy(() -> new RoutingPolicy(base.variants(), null, null, new RoutingPolicy.Guard(0.1, null, 0)).validated())
                .hasMessageContaining("windowSeconds");
    }

    @Test
    void variantsOwnConsecutiveBucketsAsManyAsTheirWeight() {
        ActivePolicy active = new ActivePolicy("m", split(1, 80, 2, 0, 3, 20), java.time.Instant.EPOCH, 20, (v, d) -> { });
        int[] owned = new int[4];
        for (int bucket = 0; bucket < StickyHash.BUCKETS; bucket++) {
            owned[active.pick(bucket)]++;
        }
        assertThat(owned).containsExactly(0, 80, 0, 20);
    }

    @Test
    void stickyBucketsAreStableAndSpread() {
        assertThat(StickyHash.bucket("user-42")).isEqualTo(StickyHash.bucket(new StringBuilder("user-").append(42)));
        int[] hits = new int[StickyHash.BUCKETS];
        for (int i = 0; i < 100_000; i++) {
            hits[StickyHash.bucket("user-" + i)]++;
        }
        // 1000 expected per bucket; a poor hash of similar strings lands far outside this
        assertThat(java.util.Arrays.stream(hits).min().orElseThrow()).isGreaterThan(850);
        assertThat(java.util.Arrays.stream(hits).max().orElseThrow()).isLessThan(1150);
    }
}
