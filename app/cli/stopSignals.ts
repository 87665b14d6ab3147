/**
 * Resolves on the first SIGINT or SIGTERM, after printing `stopping`, so a command can stop
 * cleanly. One Ctrl-C can arrive more than once (the terminal signals every process of the job,
 * and npm forwards it to its script too): copies within a second of the first are ignored. A
 * second press after that exits at once with 130, without waiting for the clean stop.
 */
export function whenStopAsked(out: (line: string) => void, stopping: string): Promise<void> {
  return new Promise((resolve) => {
    let first: number | undefined;
    const onSignal = () => {
      const now = performance.now();
      if (first === undefined) {
        first = now;
        out(stopping);
        resolve();
      } else if (now - first > 1000) {
        out('stopping now, without waiting.');
        process.exit(130);
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
