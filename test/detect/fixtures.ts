/** Data of the detect tests: corpus videos and model packs holding SCRFD-500M (test/helpers/test-data.ts). */

import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { defaultPipelineRig, type Rig } from '../helpers/rig.ts';
import { corpusVideo, SCRFD_MODEL } from '../helpers/test-data.ts';

export { corpusVideo };

/** Makes projects running the repository's pipeline over one linked corpus video; each is removed after its test. */
export function corpusProjects(video: string): () => Rig {
  const rigs: Rig[] = [];
  afterEach(() => rigs.splice(0).forEach((rig) => rig.cleanup()));
  return () => {
    const rig = defaultPipelineRig();
    rigs.push(rig);
    symlinkSync(corpusVideo(video), path.join(rig.dir, 'videos', video));
    return rig;
  };
}

const packFolders: string[] = [];

function packFolder(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vbuild-pack-'));
  packFolders.push(dir);
  return dir;
}

/** Deletes the pack folders this test file made (for afterAll). */
export function removePacks(): void {
  for (const dir of packFolders.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A pack folder holding SCRFD-500M (a link) under an insightface detector name. */
export function scrfdPack(name = 'det_500m.onnx'): string {
  const dir = packFolder();
  symlinkSync(SCRFD_MODEL, path.join(dir, name));
  return dir;
}

/**
 * A pack whose detector is SCRFD-500M with another `doc_string` appended (ModelProto field 6; a
 * later occurrence of a field replaces an earlier one): the same network in a file of different
 * content, as a re-exported or patched model would be.
 */
export function editedScrfdPack(): string {
  const dir = packFolder();
  const file = path.join(dir, 'det_500m.onnx');
  copyFileSync(SCRFD_MODEL, file);
  const text = Buffer.from('re-exported for a vbuild test');
  writeFileSync(file, Buffer.concat([Buffer.from([0x32, text.length]), text]), { flag: 'a' });
  return dir;
}

/** detect's journal of an unfinished build (cache/work/<key>/detections.jsonl), if there is one. */
export function journalFile(rig: Rig): string | undefined {
  const work = path.join(rig.dir, 'cache/work');
  if (!existsSync(work)) return undefined;
  return readdirSync(work)
    .map((key) => path.join(work, key, 'detections.jsonl'))
    .find((file) => existsSync(file));
}

export function journalLines(rig: Rig): number {
  const file = journalFile(rig);
  return file === undefined ? 0 : readFileSync(file, 'utf8').split('\n').length - 1;
}
