import type { Resource, ResourceClaim } from './rule.ts';

export type Capacities = Record<Resource, number>;

interface Waiting {
  claim: Required<ResourceClaim>;
  priority: number;
  start: () => void;
}

/**
 * Starts tasks as soon as every pool they claim has room and fewer than `jobs` run.
 * Waiting tasks are tried by priority, then in the order they came; a task that cannot start
 * (say, waiting for the gpu) never blocks a later one that can.
 */
export class ResourcePools {
  readonly #capacity: Capacities;
  readonly #inUse: Capacities = { cpu: 0, gpu: 0, io: 0 };
  readonly #jobs: number;
  #running = 0;
  #queue: Waiting[] = [];

  constructor(capacity: Capacities, jobs: number) {
    this.#capacity = capacity;
    this.#jobs = Math.max(1, jobs);
  }

  /** Runs `task` once its claim fits; a claim larger than a pool is clamped to the pool. Higher `priority` goes first. */
  run<T>(claim: ResourceClaim, task: () => Promise<T>, priority = 0): Promise<T> {
    const fitted = {} as Required<ResourceClaim>;
    for (const resource of ['cpu', 'gpu', 'io'] as const) {
      fitted[resource] = Math.min(claim[resource] ?? 0, this.#capacity[resource]);
    }
    return new Promise<T>((resolve, reject) => {
      const waiting: Waiting = {
        claim: fitted,
        priority,
        start: () => {
          task().then(resolve, reject).finally(() => this.#release(fitted));
        },
      };
      // After every task of the same or a higher priority: the queue stays sorted, FIFO among equals.
      const at = this.#queue.findIndex((queued) => queued.priority < priority);
      this.#queue.splice(at === -1 ? this.#queue.length : at, 0, waiting);
      this.#dispatch();
    });
  }

  #fits(claim: Required<ResourceClaim>): boolean {
    return (['cpu', 'gpu', 'io'] as const).every((r) => this.#inUse[r] + claim[r] <= this.#capacity[r]);
  }

  #dispatch(): void {
    const still: Waiting[] = [];
    for (const waiting of this.#queue) {
      if (this.#running < this.#jobs && this.#fits(waiting.claim)) {
        for (const r of ['cpu', 'gpu', 'io'] as const) this.#inUse[r] += waiting.claim[r];
        this.#running++;
        waiting.start();
      } else {
        still.push(waiting);
      }
    }
    this.#queue = still;
  }

  #release(claim: Required<ResourceClaim>): void {
    for (const r of ['cpu', 'gpu', 'io'] as const) this.#inUse[r] -= claim[r];
    this.#running--;
    this.#dispatch();
  }
}
