/**
 * A reader that stops early (`vbuild status | head -3`) closes the pipe vbuild writes to: the next
 * write fails with EPIPE, which Node reports as an 'error' event on the stream, and an 'error'
 * event nobody listens to ends the process with a stack trace. Output nobody reads any more is
 * dropped instead (a closed stream ignores later writes): the command runs to its end and exits
 * with its own code. A build carries on: what it was asked to build gets built.
 */

export function isClosedOutput(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'EPIPE';
}

/** Lets `stream` close under vbuild; any other failure of it stays fatal. */
export function tolerateClosedOutput(stream: NodeJS.WritableStream): void {
  stream.on('error', (error) => {
    if (!isClosedOutput(error)) throw error;
  });
}
