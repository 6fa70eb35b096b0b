import { describe, expect, it } from 'vitest';
import type { DeclaredParam } from '../../src/engine/config.ts';
import { helpText, paramsFromEnv, parseCLI, UsageError } from '../../src/cli/parse.ts';
import { resolveParams } from '../../src/engine/config.ts';
import { defineConfig } from '../../src/engine/rule.ts';
import { parseTargets } from '../../src/cli/targets.ts';

const params: DeclaredParam[] = [
  { name: 'max_yaw', type: 'number', default: 75, doc: '|yaw| limit', rules: ['score'] },
  { name: 'threshold', type: 'number', default: 0.6, min: -1, max: 1, doc: 'least similarity', rules: ['score'] },
  { name: 'identity', type: 'string', default: '', doc: 'reference faces', rules: ['score'] },
  { name: 'accurate', type: 'boolean', default: false, doc: 'Re-encode heads', rules: ['cut'] },
  { name: 'device', type: 'string', default: 'auto', choices: ['auto', 'cpu', 'cuda'], doc: 'Provider', rules: ['detect'] },
  { name: 'x264_preset', type: 'string', default: 'fast', doc: 'x264 speed', rules: ['cut'] },
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

  it('reads a flag with a digit after a dash as cac names it (--x264-preset)', () => {
    expect(parseCLI(['cut', '--x264-preset', 'veryfast'], params).params).toEqual({ x264_preset: 'veryfast' });
    expect(parseCLI(['cut', '--x264-preset=ultrafast', '--max-yaw', '3'], params).params).toEqual({ x264_preset: 'ultrafast', max_yaw: 3 });
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

  it('takes a negative number as the value of the flag before it, and checks declared ranges', () => {
    expect(parseCLI(['--threshold', '-0.25', 'score'], params)).toMatchObject({ params: { threshold: -0.25 }, command: { targets: ['score'] } });
    expect(parseCLI(['--max-yaw', '-5'], params).params).toEqual({ max_yaw: -5 });
    expect(() => parseCLI(['--threshold', '-2'], params)).toThrow(new UsageError('--threshold must be at least -1, got -2'));
    expect(() => parseCLI(['--threshold=1.5'], params)).toThrow('--threshold must be at most 1, got 1.5');
    expect(() => parseCLI(['-j', '-2'], params)).toThrow('--jobs must be a positive integer, got -2');
  });

  it('reads VBUILD_<PARAM> from the environment given to it; flag > environment > config > default', () => {
    const env = { VBUILD_MAX_YAW: '30', VBUILD_ACCURATE: 'yes', VBUILD_THRESHOLD: '', VBUILD_IDENTITY: '', OTHER: 'x' };
    expect(paramsFromEnv(env, params)).toEqual({ max_yaw: 30, accurate: true, identity: '' });
    expect(() => paramsFromEnv({ VBUILD_ACCURATE: 'sometimes' }, params)).toThrow('VBUILD_ACCURATE must be true or false, got "sometimes"');
    expect(() => paramsFromEnv({ VBUILD_THRESHOLD: '3' }, params)).toThrow('VBUILD_THRESHOLD must be at most 1, got 3');

    const rule = { name: 'score', per: 'video' as const, version: 1, run: async () => undefined, params: { max_yaw: params[0]!, threshold: params[1]! } };
    const config = defineConfig({ input: { dir: 'v', include: ['*'] }, output: 'o', cache: 'c', params: { max_yaw: 40, threshold: 0.1 }, rules: [rule] });
    const flags = parseCLI(['--max-yaw', '20'], params).params;
    expect(resolveParams(config, { ...paramsFromEnv({ VBUILD_MAX_YAW: '30', VBUILD_THRESHOLD: '0.2' }, params), ...flags })).toEqual({ max_yaw: 20, threshold: 0.2 });
    expect(resolveParams(config, paramsFromEnv({}, params))).toEqual({ max_yaw: 40, threshold: 0.1 });
  });

  it('--help names the default folders, the ranges, the environment, and gives examples; no empty default', () => {
    const help = helpText(params, '1.2.3', { input: 'videos', output: 'out', cache: 'cache' });
    expect(help).toMatch(/--input <dir\|file>\s+Folder of input videos, or one video file \(default: videos\)/);
    expect(help).toMatch(/--threshold <n>\s+least similarity \(default: 0.6; -1–1; score\)/);
    expect(help).toMatch(/--identity <value>\s+reference faces \(score\)/);
    expect(help).not.toMatch(/default: ;|default: \)/);
    expect(help).toContain('VBUILD_<PARAM>');
    expect(help).toMatch(/Examples:\n\s+vbuild all --input ~\/videos/);
  });
});
