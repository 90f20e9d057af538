package dev.otimo.batching;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** When waiting for company stops paying off, and when it starts again. */
class DelayGovernorTest {

    @Test
    void waitsWhileLoneWaitsAreFewerThanTheThreshold() {
        DelayGovernor g = new DelayGovernor();
        for (int i = 0; i < BatchingPolicy.LONE_WAITS_BEFORE_SKIPPING_DELAY - 1; i++) {
            assertThat(g.shouldWait()).isTrue();
            g.dispatched(BatchFormer.Reason.DELAY_PASSED, 1);
        }
        assertThat(g.shouldWait()).isTrue();
    }

    @Test
    void sequentialTrafficStopsPayingTheDelayButStillProbes() {
        DelayGovernor g = new DelayGovernor();
        for (int i = 0; i < BatchingPolicy.LONE_WAITS_BEFORE_SKIPPING_DELAY; i++) {
            g.dispatched(BatchFormer.Reason.DELAY_PASSED, 1);
        }
        int waits = 0;
        for (int i = 0; i < BatchingPolicy.PROBE_WAIT_EVERY * 3; i++) {
            if (g.shouldWait()) {
                waits++;
            }
            g.dispatched(BatchFormer.Reason.NO_WAIT, 1);
        }
        assertThat(waits).isEqualTo(3);
    }

    @Test
    void aBatchOfSeveralTurnsWaitingBackOn() {
        DelayGovernor g = new DelayGovernor();
        for (int i = 0; i < BatchingPolicy.LONE_WAITS_BEFORE_SKIPPING_DELAY; i++) {
            g.dispatched(BatchFormer.Reason.DELAY_PASSED, 1);
        }
        assertThat(g.shouldWait()).isFalse();
        g.dispatched(BatchFormer.Reason.NO_WAIT, 3);
        assertThat(g.shouldWait()).isTrue();
    }

    @Test
    void fullAndPreferredBatchesDoNotCountAsLoneWaits() {
        DelayGovernor g = new DelayGovernor();
        for (int i = 0; i < 100; i++) {
            g.dispatched(BatchFormer.Reason.FULL, 1);
            g.dispatched(BatchFormer.Reason.PREFERRED, 1);
        }
        assertThat(g.shouldWait()).isTrue();
    }
}
