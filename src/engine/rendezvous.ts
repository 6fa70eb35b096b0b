import type { SharedSource } from './rule.ts';

type Open = (parts: ReadonlyMap<string, unknown>) => unknown;

/**
 * The SharedSource of builds started together: it holds their parts until each member has offered
 * one or left, then opens the source once over the parts offered.
 */
export class Rendezvous {
  readonly members: readonly string[];
  /** Members that have neither offered a part nor left. */
  readonly #awaited: Set<string>;
  readonly #parts = new Map<string, unknown>();
  #open: Open | undefined;
  readonly #opened: Promise<unknown>;
  #settle!: { resolve: (shared: unknown) => void; reject: (error: unknown) => void };

  constructor(members: readonly string[]) {
    this.members = [...members].sort();
    this.#awaited = new Set(members);
    this.#opened = new Promise((resolve, reject) => (this.#settle = { resolve, reject }));
    // Rejected with no member waiting (every one left after the opening failed): not unhandled.
    this.#opened.catch(() => undefined);
  }

  /** The view a member's build is given. */
  member(name: string): SharedSource {
    if (!this.members.includes(name)) throw new Error(`${name} is not a member of this shared source`);
    return {
      members: this.members,
      meet: <Part, Shared>(part: Part, open: (parts: ReadonlyMap<string, Part>) => Shared) => this.#meet(name, part, open as Open) as Promise<Shared>,
      leave: () => this.#leave(name),
    };
  }

  #meet(name: string, part: unknown, open: Open): Promise<unknown> {
    if (!this.#awaited.has(name)) return Promise.reject(new Error(`${name} has already met or left its shared source`));
    this.#parts.set(name, part);
    this.#open = open;
    this.#awaited.delete(name);
    this.#openWhenAllHere();
    return this.#opened;
  }

  #leave(name: string): void {
    if (!this.#awaited.delete(name)) return;
    this.#openWhenAllHere();
  }

  #openWhenAllHere(): void {
    if (this.#awaited.size > 0 || this.#open === undefined) return;
    const open = this.#open;
    this.#open = undefined;
    try {
      this.#settle.resolve(open(this.#parts));
    } catch (error) {
      this.#settle.reject(error);
    }
  }
}
