/**
 * Preload for the op-point fault test (issue 8, part 2): `node --import <this file> bin/vbuild.js ...`.
 *
 * It follows which builds are open from vbuild's own plain log lines on stderr, and counts the
 * file-system mutations (writes, renames, links, unlinks, mkdirs, fsyncs, closes of written
 * files...) made while a build of a given rule is open. So the test can kill *inside* any rule,
 * even one that runs for a millisecond, without a test hook in src/.
 *
 *   VBUILD_KILL_RULE=<rule> VBUILD_KILL_AT=<n>  SIGKILL the process group just before the n-th
 *                                                mutation made while a `<rule>` build is open;
 *                                                one `kill-point: ...` line on stderr first.
 *   VBUILD_KILL_COUNT=<file>                     kill nothing; at exit write {rule: mutations} there.
 *
 * Only the main thread: the preload also runs in worker threads (detect's analysis), whose
 * stderr is not the reporter's and whose process is the same one anyway.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import path from 'node:path';
import { isMainThread } from 'node:worker_threads';

if (isMainThread && (process.env.VBUILD_KILL_RULE || process.env.VBUILD_KILL_COUNT)) install();

function install() {
  const killRule = process.env.VBUILD_KILL_RULE;
  const killAt = Number.parseInt(process.env.VBUILD_KILL_AT ?? '0', 10);
  const countFile = process.env.VBUILD_KILL_COUNT;
  const original = { writeFileSync: fs.writeFileSync, stderrWrite: process.stderr.write };

  /** `rule@item` of builds that printed `running` and not yet `done in`/`FAILED`/`restored`. */
  const open = new Set();
  /** Mutations made while at least one build of the rule was open. */
  const counts = {};

  followBuilds(open, original.stderrWrite);

  /** Called before every mutating file-system call: counts it, and kills at the chosen one. */
  function mutation(fn, target) {
    const rules = new Set([...open].map((id) => id.slice(0, id.indexOf('@'))));
    for (const rule of rules) counts[rule] = (counts[rule] ?? 0) + 1;
    if (killRule && rules.has(killRule) && counts[killRule] === killAt) {
      const name = typeof target === 'string' || target instanceof URL ? path.basename(String(target)) : `fd ${target ?? '?'}`;
      original.stderrWrite.call(process.stderr, `kill-point: ${killRule} op ${killAt} ${fn} ${name}\n`);
      try {
        // vbuild was spawned detached: its own group, so ffmpeg children die with it.
        process.kill(-process.pid, 'SIGKILL');
      } catch {
        process.kill(process.pid, 'SIGKILL');
      }
    }
  }

  wrapFs(mutation);
  wrapPromises(mutation);
  // ESM `import { rename } from 'node:fs/promises'` binds the module's exports: make them the wrappers.
  syncBuiltinESMExports();

  if (countFile) {
    process.on('exit', () => original.writeFileSync(countFile, JSON.stringify(counts)));
  }
}

/** Tracks open builds from the plain reporter's lines (see src/cli/reporters/console.ts). */
function followBuilds(open, write) {
  let partial = '';
  process.stderr.write = function (chunk, ...rest) {
    partial += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const lines = partial.split('\n');
    partial = lines.pop();
    for (const line of lines) {
      const match = /^\[(\w+)\] (.+?): (running \(|done in |FAILED: |restored from the run cache)/.exec(line);
      if (!match) continue;
      const id = `${match[1]}@${match[2]}`;
      if (match[3] === 'running (') open.add(id);
      else open.delete(id);
    }
    return write.call(this, chunk, ...rest);
  };
}

/** Whether open flags can change the file (anything but plain read). */
function writes(flags) {
  if (flags === undefined || flags === null) return false;
  if (typeof flags === 'number') return (flags & (fs.constants.O_WRONLY | fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_APPEND)) !== 0;
  return flags !== 'r' && flags !== 'rs' && flags !== 'sr';
}

/** Callback and sync forms on the `node:fs` module object (createWriteStream goes through these too). */
function wrapFs(mutation) {
  const writtenFds = new Set();
  const byPath = ['writeFile', 'appendFile', 'rename', 'link', 'unlink', 'rm', 'rmdir', 'mkdir', 'mkdtemp', 'copyFile', 'truncate', 'chmod', 'symlink', 'utimes'];
  const byFd = ['write', 'writev', 'fsync', 'fdatasync', 'ftruncate', 'fchmod'];
  for (const base of byPath) {
    for (const name of [base, `${base}Sync`]) wrap(fs, name, (fn) => (...args) => (mutation(name, args[0]), fn(...args)));
  }
  for (const base of byFd) {
    for (const name of [base, `${base}Sync`]) wrap(fs, name, (fn) => (...args) => (mutation(name, args[0]), fn(...args)));
  }
  wrap(fs, 'openSync', (fn) => (file, flags, ...rest) => {
    if (!writes(flags)) return fn(file, flags, ...rest);
    mutation('openSync', file);
    const fd = fn(file, flags, ...rest);
    writtenFds.add(fd);
    return fd;
  });
  wrap(fs, 'open', (fn) => (file, flags, ...rest) => {
    if (typeof flags === 'function' || !writes(flags)) return fn(file, flags, ...rest);
    mutation('open', file);
    const callback = rest.pop();
    return fn(file, flags, ...rest, (error, fd) => {
      if (!error) writtenFds.add(fd);
      callback(error, fd);
    });
  });
  for (const name of ['close', 'closeSync']) {
    wrap(fs, name, (fn) => (fd, ...rest) => {
      // Closing a written file can flush it; closing a read-only one changes nothing.
      if (writtenFds.delete(fd)) mutation(name, fd);
      return fn(fd, ...rest);
    });
  }
}

/** The promise forms, and the writes through a FileHandle opened for writing (journals). */
function wrapPromises(mutation) {
  const byPath = ['writeFile', 'appendFile', 'rename', 'link', 'unlink', 'rm', 'rmdir', 'mkdir', 'mkdtemp', 'copyFile', 'truncate', 'chmod', 'symlink', 'utimes'];
  for (const name of byPath) wrap(fsp, name, (fn) => (...args) => (mutation(`promises.${name}`, args[0]), fn(...args)));
  wrap(fsp, 'open', (fn) => async (file, flags, ...rest) => {
    if (!writes(flags)) return fn(file, flags, ...rest);
    mutation('promises.open', file);
    const handle = await fn(file, flags, ...rest);
    for (const method of ['write', 'writev', 'writeFile', 'appendFile', 'truncate', 'sync', 'datasync', 'chmod', 'close']) {
      const bound = handle[method].bind(handle);
      handle[method] = (...args) => (mutation(`FileHandle.${method}`, file), bound(...args));
    }
    return handle;
  });
}

function wrap(object, name, make) {
  if (typeof object[name] !== 'function') return;
  object[name] = make(object[name]);
}
