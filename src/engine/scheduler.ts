import type { Resource, ResourceClaim } from './rule.ts';

export type Capacities = Record<Resource, number>;

/** Tasks that may start together: those waiting with the same `key`, each under its `member` name. */
export interface Together {
  key: string;
  member: string;
}

interface Waiting {
  claim: Required<ResourceClaim>;
  priority: number;
  together: Together | undefined;
  /** Starts the task; `release` is called when it ends. */
  start: (cohort: readonly string[], release: () => void) => void;
}

const RESOURCES = ['cpu', 'gpu', 'io'] as const;

/**
 * Starts tasks as soon as every pool they claim has room and fewer than `jobs` run.
 * Waiting tasks are tried by priority, then in the order they came; a task that cannot start
 * (say, waiting for the gpu) never blocks a later one that can.
 *
 * Tasks waiting with the same `together` key start together as one: they share their source's
 * work and go at its pace, so the cohort counts as one job holding, of each pool, the largest claim
 * among them (released when the last of them ends). When that does not fit but a task's own claim
 * does, it starts alone. A task is held back only while another of its key is `expect`ed: about to
 * be queued or withdrawn, a step that waits for nothing else to run (the engine's decision whether
 * a ready build must run).
 */
export class ResourcePools {
  readonly #capacity: Capacities;
  readonly #inUse: Capacities = { cpu: 0, gpu: 0, io: 0 };
  readonly #jobs: number;
  #running = 0;
  #queue: Waiting[] = [];
  /** Per together key, its waiting tasks: a cohort is found without a pass over the whole queue. */
  readonly #waitingByKey = new Map<string, Waiting[]>();
  /** Per together key, the tasks announced by `expect` and neither queued nor withdrawn yet. */
  readonly #expected = new Map<string, number>();

  constructor(capacity: Capacities, jobs: number) {
    this.#capacity = capacity;
    this.#jobs = Math.max(1, jobs);
  }

  /**
   * Runs `task` once its claim fits; a claim larger than a pool is clamped to the pool. Higher
   * `priority` goes first. The task is given its cohort: the member names of the tasks started
   * with it (the same array for each of them; its own name alone, or none, when it started alone).
   */
  run<T>(claim: ResourceClaim, task: (cohort: readonly string[]) => Promise<T>, priority = 0, together?: Together): Promise<T> {
    if (together) this.#unexpect(together.key);
    const fitted = {} as Required<ResourceClaim>;
    for (const resource of RESOURCES) {
      fitted[resource] = Math.min(claim[resource] ?? 0, this.#capacity[resource]);
    }
    return new Promise<T>((resolve, reject) => {
      const waiting: Waiting = {
        claim: fitted,
        priority,
        together,
        start: (cohort, release) => {
          task(cohort).then(resolve, reject).finally(release);
        },
      };
      // After every task of the same or a higher priority: the queue stays sorted, FIFO among equals.
      const at = this.#queue.findIndex((queued) => queued.priority < priority);
      this.#queue.splice(at === -1 ? this.#queue.length : at, 0, waiting);
      if (together) this.#waitingByKey.set(together.key, [...(this.#waitingByKey.get(together.key) ?? []), waiting]);
      this.#dispatch();
    });
  }

  /** A task of `key` will be queued with `run` or `withdraw`n soon: others of its key wait for it. */
  expect(key: string): void {
    this.#expected.set(key, (this.#expected.get(key) ?? 0) + 1);
  }

  /** An `expect`ed task will not be queued. */
  withdraw(key: string): void {
    this.#unexpect(key);
    this.#dispatch();
  }

  #unexpect(key: string): void {
    const left = (this.#expected.get(key) ?? 0) - 1;
    if (left > 0) this.#expected.set(key, left);
    else this.#expected.delete(key);
  }

  /** What `tasks` hold while they run, started as one: of each pool, the largest of their claims. */
  #claimOf(tasks: readonly Waiting[]): Required<ResourceClaim> {
    const claim = { cpu: 0, gpu: 0, io: 0 };
    for (const r of RESOURCES) claim[r] = Math.max(...tasks.map((task) => task.claim[r]));
    return claim;
  }

  #roomFor(claim: Required<ResourceClaim>): boolean {
    return this.#running < this.#jobs && RESOURCES.every((r) => this.#inUse[r] + claim[r] <= this.#capacity[r]);
  }

  /** `first` and the later waiting tasks that may start with it. */
  #cohortOf(first: Waiting): Waiting[] {
    const key = first.together?.key;
    return key === undefined ? [first] : (this.#waitingByKey.get(key) ?? [first]);
  }

  #dispatch(): void {
    const started = new Set<Waiting>();
    for (const waiting of this.#queue) {
      if (started.has(waiting) || (waiting.together && this.#expected.has(waiting.together.key))) continue;
      const cohort = this.#cohortOf(waiting);
      const starting = cohort.length > 1 && this.#roomFor(this.#claimOf(cohort)) ? cohort : this.#roomFor(waiting.claim) ? [waiting] : [];
      if (starting.length === 0) continue;
      const claim = this.#claimOf(starting);
      for (const r of RESOURCES) this.#inUse[r] += claim[r];
      this.#running++;
      let left = starting.length;
      const release = () => {
        if (--left === 0) this.#release(claim);
      };
      const members = starting.flatMap((task) => (task.together ? [task.together.member] : []));
      for (const task of starting) {
        started.add(task);
        if (task.together) this.#forgetWaiting(task.together.key, task);
      }
      for (const task of starting) task.start(members, release);
    }
    this.#queue = this.#queue.filter((waiting) => !started.has(waiting));
  }

  #forgetWaiting(key: string, task: Waiting): void {
    const left = (this.#waitingByKey.get(key) ?? []).filter((waiting) => waiting !== task);
    if (left.length > 0) this.#waitingByKey.set(key, left);
    else this.#waitingByKey.delete(key);
  }

  #release(claim: Required<ResourceClaim>): void {
    for (const r of RESOURCES) this.#inUse[r] -= claim[r];
    this.#running--;
    this.#dispatch();
  }
}
