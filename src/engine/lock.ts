import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  command: string;
}

export class LockedError extends Error {
  constructor(
    readonly lockFile: string,
    readonly holder: LockHolder,
  ) {
    super(
      `the cache ${path.dirname(lockFile)} is in use by vbuild pid ${holder.pid} on ${holder.host} ` +
        `(started ${holder.startedAt}: ${holder.command}); wait for it, or pass --wait`,
    );
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function readLockHolder(lockFile: string): Promise<LockHolder | undefined> {
  try {
    return JSON.parse(await readFile(lockFile, 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
}

/** Whether the holder still runs; a lock from another host is assumed live. */
export function holderIsLive(holder: LockHolder): boolean {
  return holder.host !== os.hostname() || isAlive(holder.pid);
}

export interface Lock {
  release(): Promise<void>;
}

/**
 * Takes the cache's lock file (O_EXCL). A lock left by a dead process on this host is taken over;
 * a live holder makes this throw LockedError, or with `wait` poll until it is gone.
 */
export async function acquireLock(
  lockFile: string,
  { wait = false, onWait }: { wait?: boolean; onWait?: (holder: LockHolder) => void } = {},
): Promise<Lock> {
  await mkdir(path.dirname(lockFile), { recursive: true });
  const me: LockHolder = {
    pid: process.pid,
    host: os.hostname(),
    startedAt: new Date().toISOString(),
    command: process.argv.slice(1).join(' '),
  };
  let announced = false;
  for (;;) {
    // Written in full first, then linked into place: a lock file is never seen half-written.
    const draft = `${lockFile}.${process.pid}`;
    await writeFile(draft, JSON.stringify(me));
    try {
      await link(draft, lockFile);
      return { release: () => unlink(lockFile).catch(() => undefined) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      await unlink(draft).catch(() => undefined);
    }
    const holder = await readLockHolder(lockFile);
    if (holder === undefined) continue;
    if (!holderIsLive(holder)) {
      // The holder crashed: its lock means nothing now.
      await unlink(lockFile).catch(() => undefined);
      continue;
    }
    if (!wait) throw new LockedError(lockFile, holder);
    if (!announced) onWait?.(holder);
    announced = true;
    await sleep(250);
  }
}
