/**
 * SIGINT (Ctrl-C) and SIGTERM during a build. The first stops it cleanly: the abort kills every
 * ffmpeg child, builds not started yet do not start, detect's analysis threads finish the
 * inference in flight and end, journals keep what was analysed, staging folders are removed and
 * the lock released; the build then returns INTERRUPTED_EXIT. A second signal quits without waiting
 * for the builds to wind down: what a killed run leaves, the next run clears or resumes.
 */
import { closeAnalysisThreads } from '../detect/analysis-thread.ts';
import { closeLauncher } from '../media/launcher.ts';

/** 128 + SIGINT: what a shell reports for a program stopped by Ctrl-C. */
export const INTERRUPTED_EXIT = 130;

export interface Interruption {
  /** Aborted by the first signal, with the signal's name in its reason. */
  readonly signal: AbortSignal;
  /** Gives the signals back to their default handling, unless one came. */
  dispose(): void;
}

export function interruptOnSignals(stderr: NodeJS.WritableStream): Interruption {
  const abort = new AbortController();
  let quitting = false;
  const onSignal = (name: NodeJS.Signals) => {
    if (!abort.signal.aborted) {
      const again = name === 'SIGINT' ? 'Ctrl-C' : name;
      stderr.write(`\nvbuild: ${name}: stopping; the next run resumes (${again} again to quit without cleaning up)\n`);
      abort.abort(new Error(`interrupted by ${name}`));
      return;
    }
    if (quitting) return;
    quitting = true;
    // process.exit stops worker threads wherever they are, and one stopped inside an inference
    // aborts the whole process (exit 134): they end first, each after its current inference. The
    // tools still running are killed, and gone when vbuild is.
    void Promise.all([closeAnalysisThreads(), closeLauncher()]).finally(() => process.exit(INTERRUPTED_EXIT));
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  const dispose = () => {
    // After a signal the handler stays to the end: a second one while the build's last steps run
    // (the lock's release) must still exit 130, not end the process by the signal.
    if (!abort.signal.aborted) process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  };
  return { signal: abort.signal, dispose };
}
