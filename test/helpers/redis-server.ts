import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';

export const REDIS_SERVER = '/usr/bin/redis-server';
export const hasRedis = existsSync(REDIS_SERVER);

/** A free loopback port: bound by the OS, then let go for redis-server to take. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A real redis-server of its own on a free loopback port, without persistence: what the queue tests run on. */
export class RedisServer {
  readonly #dir = mkdtempSync(path.join(os.tmpdir(), 'vbuild-redis-'));
  #child: ChildProcess | undefined;
  /** With a password, clients must log in (`requirepass`): redis://default:PASSWORD@… */
  readonly #password: string | undefined;
  port = 0;

  private constructor(password: string | undefined) {
    this.#password = password;
  }

  get url(): string {
    return this.#password === undefined ? `redis://127.0.0.1:${this.port}` : `redis://default:${encodeURIComponent(this.#password)}@127.0.0.1:${this.port}`;
  }

  static async start({ password }: { password?: string } = {}): Promise<RedisServer> {
    const server = new RedisServer(password);
    server.port = await freePort();
    await server.restart();
    return server;
  }

  /** Starts it (again, on the same port: what a Redis restart looks like to its clients). */
  async restart(): Promise<void> {
    this.#child = spawn(REDIS_SERVER, ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.#dir, ...(this.#password === undefined ? [] : ['--requirepass', this.#password])], {
      stdio: 'ignore',
    });
    const client = new Redis({ port: this.port, host: '127.0.0.1', password: this.#password, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    client.on('error', () => undefined);
    for (let tries = 0; ; tries++) {
      try {
        await client.connect();
        await client.ping();
        break;
      } catch {
        if (tries > 200) throw new Error(`redis-server on port ${this.port} did not start`);
        client.disconnect();
        await sleep(50);
      }
    }
    client.disconnect();
  }

  async kill(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
