import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive } from './alive.ts';

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
        `(started ${holder.startedAt}: ${holder.command})`,
    );
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

/** Creates `file` holding `holder`, unless it exists. Written in full first, then linked into place: never seen half-written. */
async function createExclusive(file: string, holder: LockHolder): Promise<boolean> {
  const draft = `${file}.${process.pid}`;
  await writeFile(draft, JSON.stringify(holder));
  try {
    await link(draft, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return false;
  } finally {
    await unlink(draft).catch(() => undefined);
  }
}

const sameHolder = (a: LockHolder, b: LockHolder) => a.pid === b.pid && a.host === b.host && a.startedAt === b.startedAt;

/**
 * Removes a lock left by a dead process. Two processes may find the same dead lock at once; if
 * both removed it, the slower one could remove the lock the faster one had just taken. So the
 * removal happens under a second lock file, and only if the lock still names the dead holder.
 */
async function removeDeadLock(lockFile: string, dead: LockHolder, me: LockHolder): Promise<void> {
  const guard = `${lockFile}.takeover`;
  if (!(await createExclusive(guard, me))) {
    // Another process is taking over; its guard outlives it only if it died in these few lines.
    const guardHolder = await readLockHolder(guard);
    if (guardHolder && !holderIsLive(guardHolder)) await unlink(guard).catch(() => undefined);
    else await sleep(10);
    return;
  }
  try {
    const current = await readLockHolder(lockFile);
    if (current && sameHolder(current, dead)) await unlink(lockFile).catch(() => undefined);
  } finally {
    await unlink(guard).catch(() => undefined);
  }
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
    if (await createExclusive(lockFile, me)) return { release: () => unlink(lockFile).catch(() => undefined) };
    const holder = await readLockHolder(lockFile);
    if (holder === undefined) continue;
    if (!holderIsLive(holder)) {
      await removeDeadLock(lockFile, holder, me);
      continue;
    }
    if (!wait) throw new LockedError(lockFile, holder);
    if (!announced) onWait?.(holder);
    announced = true;
    await sleep(250);
  }
}
