/** The report's pure parts: escaping, URLs, shell quoting, lanes, totals, and a page with a hostile name. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { escapeHtml, relativeUrl } from '../../src/report/escape.ts';
import { facefusionScript, shellQuote } from '../../src/report/facefusion.ts';
import type { VideoReport } from '../../src/report/model.ts';
import { renderReport } from '../../src/report/page.ts';
import { buildPlan } from '../../src/report/plan.ts';
import { assignLanes } from '../../src/report/timeline.ts';
import { computeTotals } from '../../src/report/totals.ts';
import { HOSTILE_NAME } from '../media/media-fixtures.ts';
import { SCORES, segment } from '../cut/fixtures.ts';
import type { ClipEntry } from '../../src/artifacts/cut.ts';

const INJECTION = '<img src=x onerror=alert(1)>';
const FRAME = 0.04;

function clip(label: string, start: number, end: number, tracks: number[], extra: Partial<ClipEntry> = {}): ClipEntry {
  const { id } = segment(label, start, end, 0, tracks);
  return {
    id,
    file: `${id}.mp4`,
    requestedStart: start,
    requestedEnd: end,
    start,
    end,
    frameDuration: FRAME,
    scene: 0,
    tracks,
    scores: SCORES,
    mode: 'copy',
    reencodedSeconds: 0,
    bytes: 1000,
    ...extra,
  };
}

function video(source: string, clips: ClipEntry[], overrides: Partial<VideoReport> = {}): VideoReport {
  return {
    source,
    clipFolder: source.replace(/\.[^.]+$/, ''),
    durationSec: 60,
    scenes: [{ index: 0, start: 0, end: 60 }],
    tracks: [
      { id: 0, scene: 0, start: 0, end: 20 },
      { id: 1, scene: 0, start: 10, end: 30 },
      { id: 2, scene: 0, start: 40, end: 50 },
    ],
    segments: clips.map((c) => ({ ...segment(c.id, c.requestedStart, c.requestedEnd, 0, c.tracks), id: c.id })),
    rejected: [{ track: 2, scene: 0, start: 40, end: 50, reason: 'median face 61 px < min_face 80' }],
    clips: { sourceHash: '0123456789abcdef', vbuildVersion: '0.1.0', cutParams: { cutMode: 'smart', crf: 18 }, clips },
    scoreParams: { max_yaw: 75 },
    sampledFrames: 120,
    ...overrides,
  };
}

describe('report rendering', () => {
  it('escapes text for HTML and encodes each path segment of a link', () => {
    expect(escapeHtml(`a<b>&"c"'d'`)).toBe('a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;');
    expect(relativeUrl('../a b/#1?%/c.mp4')).toBe('../a%20b/%231%3F%25/c.mp4');
  });

  it('quotes shell words so that bash reads them back unchanged', async () => {
    const words = [HOSTILE_NAME, "it's", '$HOME `id` \\ "x"', ''];
    const { stdout } = await promisify(execFile)('bash', ['-c', `printf '%s\\0' ${words.map(shellQuote).join(' ')}`]);
    expect(stdout.split('\0').slice(0, -1)).toEqual(words);
  });

  it('the FaceFusion script is valid bash with one job line per clip', async () => {
    const script = facefusionScript([{ id: 'abc', file: `${HOSTILE_NAME}/x/abc.webm` }], '../');
    await promisify(execFile)('bash', ['-n', '-c', script]);
    expect(script).toContain(`job 'vbuild-abc' ${shellQuote(`${HOSTILE_NAME}/x/abc.webm`)} ${shellQuote(`${HOSTILE_NAME}/x/abc.mp4`)}`);
  });

  it('puts overlapping tracks in separate lanes and reuses a lane once it is free', () => {
    expect(assignLanes([{ id: 0, scene: 0, start: 0, end: 20 }, { id: 1, scene: 0, start: 10, end: 30 }, { id: 2, scene: 0, start: 20, end: 25 }])).toEqual([0, 1, 0]);
  });

  it('totals count accepted tracks, merges, hours, rate, skipped, fallbacks, clips by mode, seconds re-encoded and clips off plan', () => {
    const totals = computeTotals([
      video('a.mp4', [
        clip('a1', 0, 9, [0, 1], { mode: 'smart', reencodedSeconds: 1.25 }),
        clip('a2', 30, 36, [1], { fallback: 'no keyframe inside the clip', mode: 'reencode', reencodedSeconds: 5.5, start: 30.5 }),
      ]),
      video('b.mp4', [clip('b1', 0, 3, [0], { file: '', skipped: 'no frame inside the clip', mode: undefined, end: 0, bytes: 0 })], { sampledFrames: 30 }),
    ]);
    expect(totals).toMatchObject({
      videos: 2,
      sampledFrames: 150,
      tracks: 6,
      acceptedTracks: 3,
      segments: 3,
      crossTrackMerges: 1,
      clips: 2,
      skipped: 1,
      reencodeFallbacks: 1,
      clipsByMode: { copy: 0, smart: 1, reencode: 1 },
      reencodedSeconds: 6.75,
      offPlan: 1,
      outputBytes: 2000,
    });
    expect(totals.inputHours * 3600).toBeCloseTo(120, 6);
    expect(totals.acceptedHours * 3600).toBeCloseTo(18, 6);
    expect(totals.cutHours * 3600).toBeCloseTo(14.5, 6);
    expect(totals.acceptanceRate).toBeCloseTo(0.15, 6);
    expect(computeTotals([video('a.mp4', [], { sampledFrames: null })]).sampledFrames).toBeNull();
  });

  it('plan.json keeps what each clip delivered and flags a clip more than a frame off its plan', () => {
    const videos = [
      video('a.mp4', [
        clip('on plan', 0, 4, [0], { start: FRAME, end: 4 - FRAME, mode: 'smart', reencodedSeconds: 0.96 }),
        clip('off plan', 10, 14, [0], { start: 10 + 2 * FRAME }),
        clip('skipped', 20, 24, [0], { file: '', skipped: 'no frame inside the clip', mode: undefined, start: 0, end: 0, bytes: 0 }),
      ]),
    ];
    const clips = buildPlan(videos, computeTotals(videos), {}).clips;
    expect(clips[0]).toMatchObject({ requestedStart: 0, requestedEnd: 4, start: FRAME, end: 4 - FRAME, frameDuration: FRAME, mode: 'smart', reencodedSeconds: 0.96, offPlan: false });
    expect(clips[1]).toMatchObject({ requestedStart: 10, start: 10 + 2 * FRAME, mode: 'copy', reencodedSeconds: 0, offPlan: true });
    expect(clips[2]).toMatchObject({ file: null, offPlan: false });
  });

  it('plan.json lists the inputs that failed, and the page has a table of them with each name escaped', () => {
    const videos = [video('good.mp4', [clip('kept', 0, 4, [0])])];
    const failed = [{ source: 'broken <1>.mp4', build: 'scan@broken <1>.mp4', reason: 'no video stream' }];
    const plan = buildPlan(videos, computeTotals(videos), {}, failed);
    expect(plan.failed).toEqual(failed);
    expect(buildPlan(videos, computeTotals(videos), {}).failed).toEqual([]);
    const page = renderReport(plan, videos, { toOutput: '../' });
    expect(page).toContain('Failed inputs');
    expect(page).toContain('broken &lt;1&gt;.mp4');
    expect(page).toContain('no video stream');
    expect(renderReport(buildPlan(videos, computeTotals(videos), {}), videos, { toOutput: '../' })).not.toContain('Failed inputs');
  });

  it('a card plays its published clip from disk and says how it was cut; an off-plan clip is flagged on its card, in the timeline and in the totals', () => {
    const smart = clip('smart', 2, 8, [0], { mode: 'smart', reencodedSeconds: 1.2 });
    const offPlan = clip('off', 20, 26, [1], { start: 21, mode: 'reencode', reencodedSeconds: 5, fallback: 'the join failed verification' });
    const videos = [video('dir/talk.mp4', [smart, offPlan])];
    const page = renderReport(buildPlan(videos, computeTotals(videos), {}), videos, { toOutput: '../' });
    const card = (id: string) => page.split('\n').find((line) => line.includes(`id="clip-${id}"`))!;

    expect(card(smart.id)).toContain(`<video preload="none" controls src="../dir/talk/${smart.id}.mp4" poster="thumbs/${smart.id}.jpg">`);
    expect(card(smart.id)).toContain('smart cut · 1.2 s re-encoded');
    expect(card(smart.id)).not.toMatch(/off-plan|off plan/);
    expect(card(offPlan.id)).toContain('<article class="card off-plan"');
    expect(card(offPlan.id)).toMatch(/<span class="badge off-plan" title="delivered 0:21.0–0:26.0, planned 0:20.0–0:26.0">off plan<\/span>/);
    expect(card(offPlan.id)).toContain('re-encoded · the join failed verification');

    expect(page).toContain('<div class="lane-label">clips</div><div class="row clips">');
    expect(page).toMatch(new RegExp(`<a class="clip" href="#clip-${smart.id}" style="left:3\\.333%;width:10\\.000%" title="clip delivered 0:02\\.0–0:08\\.0, planned 0:02\\.0–0:08\\.0 · smart cut · 1\\.2 s re-encoded">`));
    expect(page).toMatch(new RegExp(`<a class="clip off-plan" href="#clip-${offPlan.id}" [^>]*title="clip delivered 0:21\\.0–0:26\\.0, planned 0:20\\.0–0:26\\.0 · re-encoded · the join failed verification · off plan by more than a frame">`));

    expect(page).toContain('<small>off plan by over a frame</small><b><a href="#off-plan">1</a></b>');
    expect(page).toContain('<small>smart cut clips</small><b>1</b>');
    expect(page).toMatch(/<h2 id="off-plan">Off plan by more than a frame \(1\)<\/h2><table class="off-plan">.*<a href="#clip-[^"]+">dir\/talk\.mp4<\/a>/);
  });

  it('renders every name escaped: a source named like markup stays text', () => {
    const videos = [video(`${INJECTION}/${HOSTILE_NAME}.mp4`, [clip('x1', 1, 5, [0])])];
    const page = renderReport(buildPlan(videos, computeTotals(videos), {}), videos, { toOutput: '../' });
    expect(page).not.toContain(INJECTION);
    expect(page).not.toContain(HOSTILE_NAME);
    expect(page).toContain(escapeHtml(`${INJECTION}/${HOSTILE_NAME}.mp4`));
    expect(page).toContain(`href="../${escapeHtml(relativeUrl(`${INJECTION}/${HOSTILE_NAME}/`))}`);
    expect(page).toContain(`<video preload="none" controls src="../${escapeHtml(relativeUrl(`${INJECTION}/${HOSTILE_NAME}/`))}`);
    expect(page.match(/<article class="card"/g)).toHaveLength(1);
  });
});
