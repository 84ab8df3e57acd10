/** The running jobs of this process, so that a request can wake one (e.g. the tally after a ballot). */
export const jobs: { tally: { poke: () => void } | null } = { tally: null };
