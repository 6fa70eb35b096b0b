/**
 * The identity filter on real faces: references (an image, a folder, a roop-unleashed .fsz face
 * set) embedded by the embedded pack, matched against embedded-pack detections of the multi-shot
 * clip's first four shots (#1: the woman of the reference, #4: another woman).
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { runTool } from '../../src/media/ffmpeg.ts';
import { readZip } from '../../src/score/zip.ts';
import { identityFiles } from '../../src/score/identity.ts';
import { lacks, TEST_CORPUS } from '../helpers/test-data.ts';
import { corpusVideo, inputsOf, trackAndScore, type Inputs } from './fixtures.ts';

/** A zip of stored entries, as Python's zipfile writes roop-unleashed's face sets by default. */
function storedZip(entries: readonly { name: string; data: Buffer }[]): Buffer {
  const locals: Buffer[] = [];
  const directory: Buffer[] = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const nameBytes = Buffer.from(name);
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt32LE(crc32(data), 14);
    header.writeUInt32LE(data.length, 18);
    header.writeUInt32LE(data.length, 22);
    header.writeUInt16LE(nameBytes.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt32LE(crc32(data), 16);
    entry.writeUInt32LE(data.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(nameBytes.length, 28);
    entry.writeUInt32LE(offset, 42);
    locals.push(header, nameBytes, data);
    directory.push(entry, nameBytes);
    offset += header.length + nameBytes.length + data.length;
  }
  const directoryBytes = Buffer.concat(directory);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directoryBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directoryBytes, end]);
}

async function pngOf(video: string, time: number, file: string): Promise<string> {
  await runTool('ffmpeg', ['-v', 'error', '-ss', String(time), '-i', corpusVideo(video), '-frames:v', '1', '-y', file], video);
  return file;
}

describe('zip reader', () => {
  it('reads stored entries and skips folders', () => {
    const entries = readZip(storedZip([{ name: 'faces/', data: Buffer.alloc(0) }, { name: '0.png', data: Buffer.from('png bytes') }]));
    expect(entries.map((e) => [e.name, e.data.toString()])).toEqual([['0.png', 'png bytes']]);
  });
});

describe.skipIf(lacks(TEST_CORPUS, 'the identity filter on real faces'))('identity filter on real faces', () => {
  let dir: string;
  let reference: string;
  let inputs: Inputs;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'vbuild-identity-'));
    reference = await pngOf('woman_frontal_static_720p.mp4', 6, path.join(dir, 'her.png'));
    inputs = await inputsOf('multishot_8shots_1280x720_25fps.mp4', 'embedded', 1, 15);
  });

  it('keeps only the shots of the reference face, and names each file of the reference in the key', async () => {
    const { segments } = await trackAndScore(inputs, { identity: reference });
    expect(segments.segments.map((s) => [s.start, s.end])).toEqual([[0, 4]]);
    expect(segments.segments[0]!.scores.identity).toBeGreaterThan(0.6);
    const shot4 = segments.rejected.filter((r) => r.start >= 11 && r.start < 15);
    expect(shot4.length).toBeGreaterThan(0);
    for (const r of shot4) expect(r.reason).toMatch(/^identity similarity 0\.\d\d < identity_threshold 0.6$/);
    expect(await identityFiles(dir)).toEqual([reference]);
  });

  it('reads a roop-unleashed .fsz face set and a comma-separated list the same way', async () => {
    const faceSet = path.join(dir, 'faceset.fsz');
    const second = await pngOf('woman_frontal_static_720p.mp4', 2, path.join(dir, 'second.png'));
    await writeFile(faceSet, storedZip([{ name: '0.png', data: await readFile(reference) }, { name: '1.png', data: await readFile(second) }]));
    for (const identity of [faceSet, `${reference}, ${second}`]) {
      const { segments } = await trackAndScore(inputs, { identity });
      expect(segments.segments.map((s) => [s.start, s.end])).toEqual([[0, 4]]);
    }
  });
});
