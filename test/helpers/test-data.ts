/**
 * Where the tests find their data. The clips in test/fixtures/videos are always there; the larger
 * data is optional: the shared test corpus (15 clips and their ground truth) and insightface's
 * SCRFD-500M, whose licence keeps it out of this repository. Each is read from its environment
 * variable, or from ../shared beside the checkout when that exists; a test that needs one that is
 * missing is skipped, printing one line that says what is missing and how to provide it.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './rig.ts';

export const FIXTURE_VIDEOS = path.join(REPO_ROOT, 'test/fixtures/videos');

export const fixtureVideo = (name: string): string => path.join(FIXTURE_VIDEOS, name);

interface OptionalData {
  what: string;
  envVar: string;
  /** The folder, or null when it is missing. */
  dir: string | null;
  /** What a folder must hold to count. */
  holds: string;
}

function optionalData(what: string, envVar: string, sharedFolder: string, holds: string): OptionalData {
  const dir = path.resolve(REPO_ROOT, process.env[envVar] || path.join('../shared', sharedFolder));
  return { what, envVar, dir: existsSync(path.join(dir, holds)) ? dir : null, holds };
}

export const TEST_CORPUS = optionalData('the shared test corpus', 'VBUILD_TEST_CORPUS', 'corpus', 'ground_truth.json');
export const TEST_MODELS = optionalData('the SCRFD-500M model', 'VBUILD_TEST_MODELS', 'models', 'scrfd_500m_bnkps.onnx');
/** Other tools the benchmarks compare vbuild with (no test needs them). */
export const BENCH_PEERS = optionalData('the benchmark peers', 'VBUILD_BENCH_PEERS', 'peers', 'pyscenedetect');

/** The optional data that is missing here. */
export const missingTestData = (): OptionalData[] => [TEST_CORPUS, TEST_MODELS].filter((data) => data.dir === null);

/** The corpus's videos, or without the corpus the fixtures. */
export const CORPUS_VIDEOS = TEST_CORPUS.dir ? path.join(TEST_CORPUS.dir, 'videos') : FIXTURE_VIDEOS;

/**
 * A video of the corpus, or else the fixture of that name (test/fixtures/videos keeps some corpus
 * files whole, under their names), which may not exist either: see `hasVideo` and `lacksVideo`.
 */
export function corpusVideo(name: string): string {
  const inCorpus = path.join(TEST_CORPUS.dir ?? '', 'videos', name);
  return TEST_CORPUS.dir && existsSync(inCorpus) ? inCorpus : fixtureVideo(name);
}

export const hasVideo = (name: string): boolean => existsSync(corpusVideo(name));

/** SCRFD-500M with keypoints; check `lacks(TEST_MODELS, ...)` before using it. */
export const SCRFD_MODEL = path.join(TEST_MODELS.dir ?? '', 'scrfd_500m_bnkps.onnx');

/**
 * For `describe.skipIf` / `it.skipIf`: true, after printing one line naming `tests` and how to
 * provide what is missing, when any of `needed` is missing.
 */
export function lacks(needed: OptionalData | OptionalData[], tests: string): boolean {
  const missing = [needed].flat().filter((data) => data.dir === null);
  if (missing.length === 0) return false;
  process.stderr.write(`skipped ${tests}: needs ${missing.map(howToProvide).join(' and ')}\n`);
  return true;
}

/** For the benchmarks: the folder of `data`, or an error saying how to provide it. */
export function requireData(data: OptionalData): string {
  if (data.dir) return data.dir;
  throw new Error(`needs ${howToProvide(data)}`);
}

const howToProvide = (data: OptionalData) => `${data.what} (set ${data.envVar} to a folder holding ${data.holds})`;

/** As `lacks`, for a test of one corpus video, which may be one of the fixtures. */
export const lacksVideo = (name: string, tests: string): boolean => !hasVideo(name) && lacks(TEST_CORPUS, tests);
