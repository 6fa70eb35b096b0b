/** One video's timeline: its scenes, its face tracks (accepted or rejected), the segments planned from them and the clips delivered. */
import { describeCut, describeSpans, isOffPlan } from './delivery.ts';
import { escapeHtml } from './escape.ts';
import { formatClock, formatRange } from './format.ts';
import type { TrackSpan, VideoReport } from './model.ts';

const LANE_PX = 7;

interface Span {
  start: number;
  end: number;
}

/** `left`/`width` of a span as percentages of the video; a floor on the width keeps short spans visible. */
function place(span: Span, duration: number): string {
  const clamp = (value: number) => Math.min(100, Math.max(0, value));
  const left = clamp((span.start / duration) * 100);
  const width = Math.max(0.25, clamp((span.end / duration) * 100) - left);
  return `left:${left.toFixed(3)}%;width:${width.toFixed(3)}%`;
}

/** A span that jumps to its clip's card. */
function clipLink(className: string, clipId: string, span: Span, duration: number, title: string): string {
  return `<a class="${className}" href="#clip-${escapeHtml(clipId)}" style="${place(span, duration)}" title="${escapeHtml(title)}"></a>`;
}

/** Tracks spread over lanes so that none overlaps another in its lane. */
export function assignLanes(tracks: readonly TrackSpan[]): number[] {
  const laneEnds: number[] = [];
  const lanes = new Array<number>(tracks.length);
  const order = tracks.map((_, i) => i).sort((a, b) => tracks[a]!.start - tracks[b]!.start);
  for (const i of order) {
    const track = tracks[i]!;
    let lane = laneEnds.findIndex((end) => end <= track.start);
    if (lane === -1) lane = laneEnds.push(track.end) - 1;
    else laneEnds[lane] = track.end;
    lanes[i] = lane;
  }
  return lanes;
}

export function renderTimeline(video: VideoReport, index: number): string {
  const duration = video.durationSec > 0 ? video.durationSec : 1;
  const accepted = new Set(video.segments.flatMap((segment) => segment.tracks));
  const reasons = new Map(video.rejected.map((rejection) => [rejection.track, rejection.reason]));
  const lanes = assignLanes(video.tracks);
  const laneCount = Math.max(1, ...lanes.map((lane) => lane + 1));

  const scenes = video.scenes
    .map((scene) => `<div class="scene" style="${place(scene, duration)}" title="scene ${scene.index}: ${formatRange(scene)}"></div>`)
    .join('');
  const tracks = video.tracks
    .map((track, i) => {
      const state = accepted.has(track.id) ? 'accepted' : 'rejected';
      const why = reasons.get(track.id);
      const title = `track ${track.id} (scene ${track.scene}): ${formatRange(track)}, ${state}${why ? `: ${why}` : ''}`;
      return `<div class="track ${state}" style="${place(track, duration)};top:${lanes[i]! * LANE_PX}px" title="${escapeHtml(title)}"></div>`;
    })
    .join('');
  const segments = video.segments
    .map((segment) => clipLink('segment', segment.id, segment, duration, `segment ${formatRange(segment)}, tracks ${segment.tracks.join(', ')}`))
    .join('');
  const written = video.clips.clips.filter((clip) => !clip.skipped);
  const clips = written
    .map((clip) => {
      const offPlan = isOffPlan(clip);
      const title = `clip ${describeSpans(clip)} · ${describeCut(clip)}${offPlan ? ' · off plan by more than a frame' : ''}`;
      return clipLink(offPlan ? 'clip off-plan' : 'clip', clip.id, clip, duration, title);
    })
    .join('');
  return [
    `<section class="video" data-video="${index}">`,
    `<h3>${escapeHtml(video.source)} <small>${formatClock(video.durationSec)} · ${count(video.scenes.length, 'scene')} · ${count(video.tracks.length, 'track')} · ${count(written.length, 'clip')}</small></h3>`,
    '<div class="timeline">',
    `<div class="lane-label">scenes</div><div class="row scenes">${scenes}</div>`,
    `<div class="lane-label">tracks</div><div class="row tracks" style="height:${laneCount * LANE_PX}px">${tracks}</div>`,
    `<div class="lane-label">segments</div><div class="row segments">${segments}</div>`,
    `<div class="lane-label">clips</div><div class="row clips">${clips}</div>`,
    `<div></div><div class="axis"><span>${formatClock(0)}</span><span>${formatClock(video.durationSec)}</span></div>`,
    '</div>',
    '</section>',
  ].join('\n');
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
