import { checkRuleParams, collectParams, ConfigError, resolveParams } from '../engine/config.ts';
import { TargetError } from '../engine/graph.ts';
import { ItemSelectionError } from '../engine/items.ts';
import { LockedError } from '../engine/lock.ts';
import { buildCommand, dryRunCommand } from './commands/build.ts';
import { doctorCommand } from './commands/doctor.ts';
import { gcCommand } from './commands/gc.ts';
import { catCommand, dagCommand, statusCommand } from './commands/inspect.ts';
import { isClosedOutput, tolerateClosedOutput } from './closed-output.ts';
import { type CommandContext, resolveFolders } from './context.ts';
import { configPath, loadConfig } from './load-config.ts';
import { VBUILD_VERSION } from '../version.ts';
import { paramsFromEnv, parseCLI, UsageError } from './parse.ts';
import { describeSelectionProblem } from './selection-problem.ts';

export interface Io {
  cwd: string;
  /** Where `VBUILD_<PARAM>` values are read from. */
  env?: Readonly<Record<string, string | undefined>>;
  stdout: CommandContext['stdout'];
  stderr: CommandContext['stderr'];
}

/** `--config` has to be known before the full parse: the config declares the param flags. */
function configFlag(argv: readonly string[]): string | undefined {
  const index = argv.findIndex((arg) => arg === '--config' || arg.startsWith('--config='));
  if (index < 0) return undefined;
  const arg = argv[index]!;
  return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[index + 1];
}

/** Errors the user can fix: printed as one line, exit code 2 (so is an ItemSelectionError, worded here). */
const USER_ERRORS = [ConfigError, UsageError, TargetError, LockedError];

export async function main(argv: readonly string[], io: Io = { cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  tolerateClosedOutput(io.stdout);
  tolerateClosedOutput(io.stderr);
  try {
    const loaded = await loadConfig(configPath(configFlag(argv), io.cwd));
    const declared = [...collectParams(loaded.rules).values()];
    const parsed = parseCLI(argv, declared, VBUILD_VERSION, { input: loaded.config.input.dir, output: loaded.config.output, cache: loaded.config.cache });
    if (parsed.print !== undefined) {
      io.stdout.write(parsed.print + '\n');
      return 0;
    }
    const ctx: CommandContext = {
      config: loaded.config,
      configFile: loaded.file,
      rules: loaded.rules,
      options: parsed.options,
      // Flags beat the environment, which beats the config's params, which beat the defaults.
      params: resolveParams(loaded.config, { ...paramsFromEnv(io.env ?? process.env, declared), ...parsed.params }),
      ...resolveFolders(loaded.config, parsed.options, io.cwd),
      stdout: io.stdout,
      stderr: io.stderr,
    };
    const { command } = parsed;
    switch (command.name) {
      case 'build':
        await checkRuleParams(ctx.rules, ctx.params);
        return parsed.options.dryRun ? await dryRunCommand(ctx, command.targets) : await buildCommand(ctx, command.targets);
      case 'cat':
        return await catCommand(ctx, command.rule, command.args);
      case 'dag':
        return dagCommand(ctx);
      case 'status':
        if (parsed.options.queue === undefined) return await statusCommand(ctx);
        return await (await import('./commands/queue-status.ts')).queueStatusCommand(ctx, parsed.options.queue);
      case 'gc':
        return await gcCommand(ctx);
      case 'doctor':
        return await doctorCommand(ctx);
      // The queue's modules (BullMQ, ioredis) load only when a command needs them: local runs never pay for them.
      case 'worker':
        return await (await import('./commands/worker.ts')).workerCommand(ctx);
    }
  } catch (error) {
    // A command streaming to a closed stdout (cat) fails with EPIPE: the reader had enough.
    if (isClosedOutput(error)) return 0;
    if (error instanceof ItemSelectionError) {
      io.stderr.write(`vbuild: ${describeSelectionProblem(error.problem)}\n`);
      return 2;
    }
    if (USER_ERRORS.some((kind) => error instanceof kind)) {
      const hint = error instanceof LockedError ? '; wait for it, or pass --wait' : '';
      io.stderr.write(`vbuild: ${(error as Error).message}${hint}\n`);
      return 2;
    }
    throw error;
  }
}
