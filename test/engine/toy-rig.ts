import path from 'node:path';
import { REPO_ROOT, Rig } from '../helpers/rig.ts';

/** A Rig with the toy pipeline configured and a log of which builds ran. */
export class ToyRig extends Rig {
  constructor(inputs: Record<string, string> = { 'a.mp4': 'alpha', 'b.mp4': 'beta', 'c.mp4': 'gamma' }) {
    super();
    for (const [name, content] of Object.entries(inputs)) this.write(`videos/${name}`, content);
    this.configure();
  }

  configure(extra = ''): void {
    const fixture = path.join(REPO_ROOT, 'test/fixtures/toy-pipeline.ts');
    this.write(
      'pipeline.config.ts',
      `import { toyConfig } from ${JSON.stringify(fixture)};\n` +
        `export default toyConfig({ log: ${JSON.stringify(path.join(this.dir, 'runs.log'))}${extra} });\n`,
    );
  }

  /** The builds that ran since the last call, as `rule item` lines, sorted. */
  takeRuns(): string[] {
    if (!this.exists('runs.log')) return [];
    const lines = this.read('runs.log').split('\n').filter(Boolean).sort();
    this.write('runs.log', '');
    return lines;
  }
}
