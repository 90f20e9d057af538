package dev.otimo.experiments;

import org.springframework.stereotype.Component;

import java.util.List;

/**
 * Joins outcomes reported later ({@code POST /v2/models/{m}/outcomes}) to the arm that answered each request
 * and scores that arm's prediction. In memory only; never blocks.
 *
 * <p>An id is unknown when no answer of an experiment arm with that id is kept (never answered here, no
 * {@code id} sent, several rows, already joined, or a label that cannot be compared with the prediction), and
 * expired when its answer is older than the outcome time to live, was pushed out of the bounded store, or
 * belongs to an experiment that has ended. Neither is an error: both are counted, in the answer and in the
 * model's open experiment.
 */
@Component
public class OutcomeJoin {

    /** One reported outcome: the request's id and the observed label (a Number, String or Boolean). */
    public record Reported(String id, Object label) {
    }

    /** How many reported outcomes were joined, unknown and expired. */
    public record Tally(int accepted, int unknown, int expired) {
    }

    private final LiveExperiments live;
    private final OutcomeStore store;

    public OutcomeJoin(LiveExperiments live, OutcomeStore store) {
        this.live = live;
        this.store = store;
    }

    public Tally join(String model, List<Reported> reported) {
        int accepted = 0;
        int unknown = 0;
        int expired = 0;
        for (Reported r : reported) {
            OutcomeStore.Lookup found = store.take(model, r.id());
            if (found instanceof OutcomeStore.Found f) {
                LiveExperiment experiment = live.byId(f.answer().experimentId());
                if (experiment == null) {
                    expired++;
                } else if (experiment.recordOutcome(f.answer().version(), f.answer().prediction(), r.label())) {
                    accepted++;
                } else {
                    unknown++;
                }
            } else if (found instanceof OutcomeStore.Expired) {
                expired++;
            } else {
                unknown++;
            }
        }
        LiveExperiment current = live.of(model);
        if (current != null && (unknown > 0 || expired > 0)) {
            current.outcomesNotJoined(unknown, expired);
        }
        return new Tally(accepted, unknown, expired);
    }
}
