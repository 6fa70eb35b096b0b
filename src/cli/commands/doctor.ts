import type { CommandContext } from '../context.ts';

/** `vbuild doctor`: the tools and runtimes a build would use, and where they come from. */
export async function doctorCommand(ctx: CommandContext): Promise<number> {
  // Loaded here only: ordinary commands should not pay for onnxruntime's native start-up.
  const [{ ffmpegInfo }, { listSupportedBackends }] = await Promise.all([
    import('../../media/doctor.ts'),
    import('onnxruntime-node'),
  ]);
  const media = await ffmpegInfo();
  const backends = listSupportedBackends();
  if (ctx.options.json) {
    ctx.stdout.write(JSON.stringify({ node: process.version, ...media, onnxruntime: backends }) + '\n');
    return 0;
  }
  const out = (line: string) => ctx.stdout.write(line + '\n');
  out(`node         ${process.version}`);
  for (const tool of [media.ffmpeg, media.ffprobe]) {
    out(`${tool.tool.padEnd(12)} ${tool.path} (from ${tool.source}): ${tool.version}`);
  }
  const describe = (b: { name: string; bundled: boolean }) => `${b.name}${b.bundled ? '' : ' (needs its own install)'}`;
  out(`onnxruntime  ${backends.map(describe).join(', ')}`);
  out(`config       ${ctx.configFile}`);
  out(`cache        ${ctx.cacheDir}`);
  return 0;
}
