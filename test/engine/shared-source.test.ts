import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Rendezvous } from '../../src/engine/rendezvous.ts';
import { ResourcePools } from '../../src/engine/scheduler.ts';
import { REPO_ROOT, Rig } from '../helpers/rig.ts';

/** A project of the two toy rules that name one shared source (test/fixtures/sharing-pipeline.ts). */
function sharingRig(): Rig {
  const rig = new Rig();
  for (const name of ['a', 'b']) rig.write(`videos/${name}.mp4`, name);
  const fixture = path.join(REPO_ROOT, 'test/fixtures/sharing-pipeline.ts');
  rig.write('pipeline.config.ts', `import { sharingConfig } from ${JSON.stringify(fixture)};\nexport default sharingConfig(${JSON.stringify(path.join(rig.dir, 'runs.log'))});\n`);
  return rig;
}

/** The log lines since the last call, sorted, with the opening numbers replaced by what they pair. */
function takeRuns(rig: Rig): string[] {
  const lines = rig.exists('runs.log') ? rig.read('runs.log').split('\n').filter(Boolean) : [];
  rig.write('runs.log', '');
  // Every member of a meeting names the same opening: one source for all of them, of one item.
  const openings = new Map<string, { items: Set<string>; lines: number; members: number }>();
  for (const line of lines) {
    const [, item, how, members, opening] = line.split(' ');
    if (how !== 'met') continue;
    const seen = openings.get(opening!) ?? { items: new Set<string>(), lines: 0, members: members!.split('+').length };
    seen.items.add(item!);
    seen.lines++;
    openings.set(opening!, seen);
  }
  for (const { items, lines: count, members } of openings.values()) expect([items.size, count]).toEqual([1, members]);
  return lines.map((line) => line.replace(/ #\d+$/, '')).sort();
}

describe('builds of one item naming the same shared source', () => {
  let rig: Rig;
  afterEach(() => rig.cleanup());

  it('start together and meet once when both are stale, each alone when only one is', async () => {
    rig = sharingRig();
    expect((await rig.run(['all', '--jobs', '4'])).code).toBe(0);
    expect(takeRuns(rig)).toEqual(['left a.mp4 met left+right', 'left b.mp4 met left+right', 'right a.mp4 met left+right', 'right b.mp4 met left+right']);

    expect((await rig.run(['all', '--jobs', '4', '--right-suffix', ')'])).code).toBe(0);
    expect(takeRuns(rig)).toEqual(['right a.mp4 alone', 'right b.mp4 alone']);
  });

  it('meet even when one build at a time may run: builds started together count as one', async () => {
    rig = sharingRig();
    expect((await rig.run(['all', '--jobs', '1'])).code).toBe(0);
    expect(takeRuns(rig)).toEqual(['left a.mp4 met left+right', 'left b.mp4 met left+right', 'right a.mp4 met left+right', 'right b.mp4 met left+right']);
  });

  it('a member that fails before meeting leaves the other to meet alone and finish', async () => {
    rig = sharingRig();
    const result = await rig.run(['all', '--jobs', '4', '--right-fails']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('right fails before meeting');
    expect(takeRuns(rig)).toEqual(['left a.mp4 met left', 'left b.mp4 met left']);
  });
});

describe('resource pools with tasks that may start together', () => {
  const cohorts = (pools: ResourcePools, keys: string[]) =>
    Promise.all(keys.map((key, i) => pools.run({ cpu: 1 }, async (cohort) => cohort, 0, { key, member: `m${i}` })));

  it('start the tasks of one key together, and others alone', async () => {
    const pools = new ResourcePools({ cpu: 4, gpu: 1, io: 4 }, 4);
    for (const key of ['x', 'x', 'y']) pools.expect(key);
    const [first, second, third] = await cohorts(pools, ['x', 'x', 'y']);
    expect(first).toEqual(['m0', 'm1']);
    expect(second).toBe(first);
    expect(third).toEqual(['m2']);
  });

  it('start them as one job holding the largest of their claims, until the last of them ends', async () => {
    const pools = new ResourcePools({ cpu: 1, gpu: 1, io: 4 }, 1);
    for (const key of ['x', 'x']) pools.expect(key);
    const order: string[] = [];
    const ends: Record<string, () => void> = {};
    const task = (name: string) => async (cohort: readonly string[]) => {
      order.push(`${name} starts with ${cohort.join('+') || 'none'}`);
      await new Promise<void>((resolve) => (ends[name] = resolve));
      order.push(`${name} ends`);
    };
    const running = [pools.run({ cpu: 1 }, task('m0'), 0, { key: 'x', member: 'm0' }), pools.run({ cpu: 1 }, task('m1'), 0, { key: 'x', member: 'm1' }), pools.run({ cpu: 1 }, task('other'))];
    const settle = () => new Promise((resolve) => setImmediate(resolve));
    await settle();
    expect(order).toEqual(['m0 starts with m0+m1', 'm1 starts with m0+m1']);
    ends.m0!();
    await settle();
    expect(order.at(-1)).toBe('m0 ends');
    ends.m1!();
    await settle();
    expect(order.slice(-2)).toEqual(['m1 ends', 'other starts with none']);
    ends.other!();
    await Promise.all(running);
  });

  it('start one alone when its own claim fits and the largest of its cohort does not', async () => {
    const pools = new ResourcePools({ cpu: 2, gpu: 1, io: 4 }, 4);
    let freeGpu!: () => void;
    const gpuTaken = pools.run({ gpu: 1 }, () => new Promise<void>((resolve) => (freeGpu = resolve)));
    for (const key of ['x', 'x']) pools.expect(key);
    const started: string[][] = [];
    const onCpu = pools.run({ cpu: 1 }, async (cohort) => started.push([...cohort]), 0, { key: 'x', member: 'cpu' });
    const onGpu = pools.run({ cpu: 1, gpu: 1 }, async (cohort) => started.push([...cohort]), 0, { key: 'x', member: 'gpu' });
    await onCpu;
    expect(started).toEqual([['cpu']]);
    freeGpu();
    await Promise.all([gpuTaken, onGpu]);
    expect(started).toEqual([['cpu'], ['gpu']]);
  });

  it('hold a task back while another of its key is expected, never once it is withdrawn', async () => {
    const pools = new ResourcePools({ cpu: 4, gpu: 1, io: 4 }, 4);
    pools.expect('x');
    pools.expect('x');
    const started: string[] = [];
    const first = pools.run({ cpu: 1 }, async (cohort) => started.push(...cohort), 0, { key: 'x', member: 'a' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([]);
    pools.withdraw('x');
    await first;
    expect(started).toEqual(['a']);
  });
});

describe('rendezvous', () => {
  it('opens once over the parts offered, after every member has offered or left', async () => {
    const meeting = new Rendezvous(['b', 'a', 'c']);
    let opened = 0;
    const open = (parts: ReadonlyMap<string, number>) => ({ sum: [...parts.values()].reduce((x, y) => x + y, 0), opening: ++opened });
    const a = meeting.member('a').meet(1, open);
    const c = meeting.member('c').meet(2, open);
    expect(meeting.members).toEqual(['a', 'b', 'c']);
    meeting.member('b').leave();
    expect(await a).toEqual({ sum: 3, opening: 1 });
    expect(await c).toBe(await a);
    await expect(meeting.member('a').meet(1, open)).rejects.toThrow(/already met or left/);
  });

  it('gives every member the opening error', async () => {
    const meeting = new Rendezvous(['a', 'b']);
    const open = () => {
      throw new Error('cannot open');
    };
    const a = meeting.member('a').meet(1, open);
    const b = meeting.member('b').meet(2, open);
    await expect(a).rejects.toThrow('cannot open');
    await expect(b).rejects.toThrow('cannot open');
  });
});
