package dev.otimo.experiments;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The bounded store of answers that outcomes join: found in time, expired when late or pushed out, unknown otherwise. */
class OutcomeStoreTest {

    private static final Duration TTL = Duration.ofMinutes(10);
    private static final Prediction CLASS_2 = new Prediction("2", Double.NaN);

    private final AtomicLong now = new AtomicLong(1_000);

    private OutcomeStore store(int capacity) {
        return new OutcomeStore(TTL, capacity, now::get, Runnable::run);
    }

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void anAnswerWithinItsTimeToLiveIsFoundOnce() {
        OutcomeStore store = store(10);
        store.put("m", "r1", 7, 2, CLASS_2);
        advance(TTL.minusSeconds(1));
        OutcomeStore.Lookup found = store.take("m", "r1");
        assertThat(found).isInstanceOf(OutcomeStore.Found.class);
        OutcomeStore.Answer answer = ((OutcomeStore.Found) found).answer();
        assertThat(answer.experimentId()).isEqualTo(7);
        assertThat(answer.version()).isEqualTo(2);
        assertThat(answer.prediction()).isEqualTo(CLASS_2);
        assertThat(store.take("m", "r1")).isInstanceOf(OutcomeStore.Unknown.class);
    }

    @Test
    void anAnswerPastItsTimeToLiveIsExpired() {
        OutcomeStore store = store(10);
        store.put("m", "late", 1, 1, CLASS_2);
        store.put("m", "much-later", 1, 1, CLASS_2);
        advance(TTL.plusSeconds(1));
        assertThat(store.take("m", "late")).isInstanceOf(OutcomeStore.Expired.class);
        // past twice the time to live the answer itself is gone; its tombstone still says expired
        advance(TTL.plusSeconds(1));
        store.cleanUp();
        assertThat(store.take("m", "much-later")).isInstanceOf(OutcomeStore.Expired.class);
    }

    @Test
    void anAnswerPushedOutByCapacityIsExpired() {
        OutcomeStore store = store(50);
        for (int i = 0; i < 100; i++) {
            store.put("m", "r" + i, 1, 1, CLASS_2);
        }
        store.cleanUp();
        int found = 0;
        int expired = 0;
        for (int i = 0; i < 100; i++) {
            OutcomeStore.Lookup lookup = store.take("m", "r" + i);
            if (lookup instanceof OutcomeStore.Found) {
                found++;
            } else if (lookup instanceof OutcomeStore.Expired) {
                expired++;
            }
        }
        assertThat(found).isLessThanOrEqualTo(50);
        // as many tombstones as answers are kept: here every answer pushed out has one
        assertThat(found + expired).isEqualTo(100);
    }

    @Test
    void idsNeverAnsweredOrOfAnotherModelAreUnknown() {
        OutcomeStore store = store(10);
        store.put("m", "r1", 1, 1, CLASS_2);
        assertThat(store.take("m", "r2")).isInstanceOf(OutcomeStore.Unknown.class);
        assertThat(store.take("other", "r1")).isInstanceOf(OutcomeStore.Unknown.class);
        assertThat(store.take("m", "r1")).isInstanceOf(OutcomeStore.Found.class);
    }
}
