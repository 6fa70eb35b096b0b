import { describe, expect, it } from 'vitest';
import type { DeclaredParam } from '../../src/engine/config.ts';
import { helpText, parseCLI, UsageError } from '../../src/cli/parse.ts';
import { parseTargets } from '../../src/cli/targets.ts';

const params: DeclaredParam[] = [
  { name: 'max_yaw', type: 'number', default: 75, doc: '|yaw| limit', rules: ['score'] },
  { name: 'accurate', type: 'boolean', default: false, doc: 'Re-encode heads', rules: ['cut'] },
  { name: 'device', type: 'string', default: 'auto', choices: ['auto', 'cpu', 'cuda'], doc: 'Provider', rules: ['detect'] },
];

describe('parseCLI (pure)', () => {
  it('reads targets, global flags and typed param flags', () => {
    const parsed = parseCLI(['score', '--max-yaw', '25', '--only', 'a*', '--only', 'b*', '-n', '--json', '-j', '3', '--accurate'], params);
    expect(parsed.command).toEqual({ name: 'build', targets: ['score'] });
    expect(parsed.params).toEqual({ max_yaw: 25, accurate: true });
    expect(parsed.options).toMatchObject({ only: ['a*', 'b*'], dryRun: true, json: true, jobs: 3 });
  });

  it('reads commands', () => {
    expect(parseCLI(['cat', 'scan', 'a.mp4', 'probe.json'], params).command).toEqual({ name: 'cat', rule: 'scan', args: ['a.mp4', 'probe.json'] });
    expect(parseCLI(['dag'], params).command).toEqual({ name: 'dag' });
    expect(parseCLI([], params).command).toEqual({ name: 'build', targets: [] });
    expect(parseCLI(['--no-accurate'], params).params).toEqual({ accurate: false });
  });

  it('reads ages for gc --older-than in milliseconds', () => {
    expect(parseCLI(['gc', '--older-than', '30d'], params).options.olderThan).toBe(30 * 86_400_000);
    expect(parseCLI(['gc', '--older-than', '1.5h'], params).options.olderThan).toBe(5_400_000);
    expect(parseCLI(['gc', '--older-than', '0'], params).options.olderThan).toBe(0);
    expect(parseCLI(['gc'], params).options.olderThan).toBeUndefined();
    expect(() => parseCLI(['gc', '--older-than', '30'], params)).toThrow('--older-than takes an age like 30d, 12h, 90m or 0, got 30');
  });

  it('rejects unknown flags and ill-typed values with the flag named', () => {
    expect(() => parseCLI(['--max-yaw', 'wide'], params)).toThrow(new UsageError('--max-yaw must be a number, got "wide"'));
    expect(() => parseCLI(['--device', 'tpu'], params)).toThrow('--device must be one of auto, cpu, cuda');
    expect(() => parseCLI(['--maxyaw', '3'], params)).toThrow('unknown option --maxyaw');
    expect(() => parseCLI(['-j', '0'], params)).toThrow('--jobs must be a positive integer');
  });

  it('lists every param flag in --help with its doc and default', () => {
    const help = parseCLI(['--help'], params).print!;
    expect(help).toBe(helpText(params, '0.0.0'));
    expect(help).toMatch(/--max-yaw <n>\s+\|yaw\| limit \(default: 75; score\)/);
    expect(help).toMatch(/--accurate, --no-accurate\s+Re-encode heads \(default: false; cut\)/);
  });

  it('splits rule@item targets at the first @', () => {
    expect(parseTargets(['all', 'score', 'cut@a@b.mp4'])).toEqual([
      { kind: 'all' },
      { kind: 'rule', rule: 'score' },
      { kind: 'build', rule: 'cut', item: 'a@b.mp4' },
    ]);
  });
});
