/**
 * runEpoch numbers the runs of callbacks and promise jobs: it returns the
 * same number until the current run is over (the next process.nextTick
 * pass), then a new one. Any number of callers share one nextTick per run,
 * instead of one each, to tell "already done in this run" apart.
 */
export function runEpoch(): number {
  if (!scheduled) {
    scheduled = true;
    process.nextTick(nextEpoch);
  }
  return epoch;
}

let epoch = 0;
let scheduled = false;

function nextEpoch(): void {
  epoch++;
  scheduled = false;
}
