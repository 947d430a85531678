/** A running periodic task. */
export interface PeriodicTask {
  /** Ends the pause at once, aborts the signal of a run under way, and resolves when that run has ended. */
  stop(): Promise<void>;
}

/**
 * Runs `run` every `intervalMs`, the first time one interval after start, one run at a time (the
 * next pause starts when a run ends). A run that fails is handed to `onError` and the next one
 * runs one interval later all the same. A long run should end early once `signal` is aborted (stop).
 */
export function startPeriodicTask(
  run: (signal: AbortSignal) => Promise<void>,
  options: { intervalMs: number; onError: (err: unknown) => void },
): PeriodicTask {
  const { intervalMs } = options;
  let stopped = false;
  const stopping = new AbortController();
  let wake: (() => void) | undefined;
  const pause = (): Promise<void> =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, intervalMs);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const running = (async () => {
    await pause();
    while (!stopped) {
      try {
        await run(stopping.signal);
      } catch (err) {
        options.onError(err);
      }
      if (!stopped) await pause();
    }
  })();
  return {
    async stop() {
      stopped = true;
      stopping.abort();
      wake?.();
      await running;
    },
  };
}
