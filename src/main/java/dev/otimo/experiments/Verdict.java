package dev.otimo.experiments;

/**
 * What an experiment can say so far, safe to show at every look.
 *
 * @param winner the version that is better (the variant for "B better", the control for "B worse"), or null
 * @param pValue the nominal two-sided p-value of the comparison at the last counted look
 * @param nominalAlpha the p-value that look had to reach (its alpha-spending boundary); a winner is declared
 *        when pValue ≤ nominalAlpha
 * @param requestsNeeded requests still missing to the planned sample, summed over control and variant (0 once
 *        it is reached)
 * @param informationFraction requests per variant at the last counted look / planned requests per variant
 * @param looks how many looks have been counted
 * @param concluded true once a winner is declared or the planned sample is reached; the verdict then no longer
 *        changes
 * @param text "B better", "B worse", "no difference detected yet (need ~N more requests)", or, at the planned
 *        sample, "no difference detected"
 */
public record Verdict(Integer winner, double pValue, double nominalAlpha, long requestsNeeded,
        double informationFraction, int looks, boolean concluded, String text) {

    static Verdict undecided(double pValue, double nominalAlpha, long requestsNeeded, double fraction, int looks) {
        if (requestsNeeded <= 0) {
            return new Verdict(null, pValue, nominalAlpha, 0, fraction, looks, true, "no difference detected");
        }
        return new Verdict(null, pValue, nominalAlpha, requestsNeeded, fraction, looks, false,
                "no difference detected yet (need ~" + requestsNeeded + " more requests)");
    }
}
