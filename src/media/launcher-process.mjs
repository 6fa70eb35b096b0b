/**
 * The process that starts vbuild's tools (ffmpeg, ffprobe): see launcher.ts for why it exists and
 * for the messages. Plain JavaScript with only Node's own modules, so that it starts in tens of
 * milliseconds and stays small: every tool is forked from it.
 */

import { spawn } from 'node:child_process';

/** Tools started and not exited, by request id. */
const running = new Map();
/** The socket ends vbuild sent for a request, by fd, until its `spawn` comes. */
const pipes = new Map();

// Ctrl-C and `kill -TERM` of the process group reach this process too: what happens to the tools
// is vbuild's decision, and vbuild's end is this process's end (below).
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => {});

// vbuild has closed the channel or died (even by SIGKILL): its tools are of no use to anyone. They
// are gone before this process is, so a vbuild that waits for it knows none is left.
process.on('disconnect', () => {
  const children = [...running.values()];
  let left = children.length;
  if (left === 0) process.exit(0);
  for (const child of children) {
    child.once('exit', () => --left === 0 && process.exit(0));
    child.kill('SIGKILL');
  }
});

function report(message) {
  if (process.connected) process.send(message);
}

process.on('message', (message, handle) => {
  if (message.type === 'pipe') {
    const ends = pipes.get(message.id) ?? [];
    ends[message.fd] = handle;
    pipes.set(message.id, ends);
  } else if (message.type === 'spawn') {
    start(message);
  } else if (message.type === 'kill') {
    running.get(message.id)?.kill(message.signal);
  }
});

function start({ id, file, args, env, cwd }) {
  const ends = pipes.get(id) ?? [];
  pipes.delete(id);
  let child;
  try {
    child = spawn(file, args, { stdio: ['ignore', ...ends.slice(1)], env, cwd });
  } catch (error) {
    report({ type: 'error', id, message: error.message, code: error.code });
    return;
  } finally {
    // The tool holds its own copies now. destroy() closes this process's descriptor only: end()
    // would shut the socket down for the tool as well.
    for (const end of ends) end?.destroy();
  }
  if (child.pid === undefined) {
    child.once('error', (error) => report({ type: 'error', id, message: error.message, code: error.code }));
    return;
  }
  running.set(id, child);
  child.once('exit', (code, signal) => {
    running.delete(id);
    report({ type: 'exit', id, code, signal });
  });
}
