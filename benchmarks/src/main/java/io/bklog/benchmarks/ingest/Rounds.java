package io.bklog.benchmarks.ingest;

import java.util.Arrays;
import java.util.Locale;

/**
 * The rounds of an ingest driver: one warm-up round, then {@code rounds} measured ones, each giving our lines/s and
 * the baseline's; prints both medians and the median ratio on one line, as the ratio runner reads it.
 */
final class Rounds {
    private Rounds() {
    }

    /** One round: {@code {ours, baseline}} in lines/s; {@code round} is -1 for the warm-up. */
    interface Round {
        double[] measure(int round) throws Exception;
    }

    static void report(int rounds, Round round, String oursLabel, String baselineLabel, String ratioName)
            throws Exception {
        double[] ratios = new double[rounds];
        double[] ours = new double[rounds];
        double[] baseline = new double[rounds];
        for (int r = -1; r < rounds; r++) { // round -1 warms the JIT
            double[] m = round.measure(r);
            if (r < 0) continue;
            ours[r] = m[0];
            baseline[r] = m[1];
            ratios[r] = m[0] / m[1];
        }
        Arrays.sort(ratios);
        Arrays.sort(ours);
        Arrays.sort(baseline);
        System.out.printf(Locale.ROOT, "%s: %.0f lines/s (median), %s: %.0f lines/s%n", oursLabel, ours[rounds / 2],
                baselineLabel, baseline[rounds / 2]);
        System.out.printf(Locale.ROOT, "%s = %.2f (rounds %s)%n", ratioName, ratios[rounds / 2],
                Arrays.toString(ratios));
    }
}
