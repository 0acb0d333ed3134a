/** Prices used for the estimate (us-east-1, standard workflows, arm64 Lambda at 256 MB). */
export const PRICES = { perTransition: 0.000025, perInvocation: 0.0000002, perGbSecond: 0.0000133334, memoryGb: 0.25 };
/** The poll interval the bench runs the rollover with. */
export const BENCH_POLL_SECONDS = 30;
