
/**
 * Shortcuts that skip work whose result is known without it (each exact: see where it is
 * used). Always on; tests turn one off to compare with the full computation.
 */
export const exactShortcuts = {
  /** Interest capitalisation computed ahead of the month loop, only where it can be non-zero (`capitalizeAhead`). */
  capitalizeAhead: true,
  /** Each tranche added to the debt totals only over the months its series are not zero (`refreshDebt`). */
  trancheSpans: true,
  /** The tranches' base rates not compared while no driver step ran since they last were (`refreshDebt`). */
  basesAsSeen: true,
  /** Capitalised interest kept without comparing its inputs while nothing it reads was written (`capitalizationKeptAsIs`). */
  capitalizationKeptAsIs: true,
  /** The month loop resumed where its inputs first differ from the last run's (resume.ts). */
  resumeMonthLoop: true,
  /** Every month loop records what a later one may resume from (tests: off, it records where resuming paid lately; see `recording`). */
  monthLoopAlwaysRecords: false,
};
