/**
 * Planning a clip from a packet table alone: where a copy may start when keyframes have leading
 * pictures (open GOP), with and without a codec that lets the copy leave them out (HEVC), and
 * what a table whose packet times are not frame times (packed B-frames) allows.
 */
import { describe, expect, it } from 'vitest';
import { PacketTable, planClip, type ClipPlan } from '../../src/media/cut-plan.ts';

const FPS = 25;

/**
 * 30 frames in decode order: a closed-GOP keyframe at frame 0, open-GOP keyframes at frames 10 and
 * 20 each followed by one leading picture (the frame shown just before it), B-frames elsewhere.
 */
const DECODE_ORDER: [frame: number, key: boolean][] = [
  [0, true], [2, false], [1, false], [4, false], [3, false], [6, false], [5, false], [8, false], [7, false],
  [10, true], [9, false], [12, false], [11, false], [14, false], [13, false], [16, false], [15, false], [18, false], [17, false],
  [20, true], [19, false], [22, false], [21, false], [24, false], [23, false], [26, false], [25, false], [28, false], [27, false], [29, false],
];
const table = new PacketTable(DECODE_ORDER.map(([frame, key], i) => ({ pts: frame / FPS, dts: (i - 1) / FPS, duration: 1 / FPS, key })));
const request = (first: number, end: number) => ({ id: 'clip', start: first / FPS, end: end / FPS });
const smart = (plan: ClipPlan) => (plan.mode === 'smart' ? plan : expect.fail(`planned ${plan.mode}, not smart`));

describe('planClip on open-GOP keyframes', () => {
  it('does not copy from a keyframe with leading pictures when the copy cannot leave them out', () => {
    const { plan, fallback } = planClip(request(3, 15), table, { mode: 'smart', joinable: true });
    expect(plan.mode).toBe('reencode');
    expect(fallback).toMatch(/open-GOP/);
  });

  it('copies from it without its leading picture when it can, and re-encodes that picture in the head', () => {
    const { plan, fallback } = planClip(request(3, 15), table, { mode: 'smart', joinable: true, dropsLeading: true });
    const { copy, head } = smart(plan);
    expect(fallback).toBeUndefined();
    expect(copy).toMatchObject({ keyframe: 10 / FPS, dropsLeading: 1, count: 5 });
    expect(head).toMatchObject({ first: 3 / FPS, end: 10 / FPS, frames: 7 });
  });

  it('starts the copy at a later keyframe when another one inside the copy has leading pictures too', () => {
    const { plan } = planClip(request(3, 25), table, { mode: 'smart', joinable: true, dropsLeading: true });
    const { copy, head } = smart(plan);
    expect(copy).toMatchObject({ keyframe: 20 / FPS, dropsLeading: 1, count: 5 });
    expect(head?.frames).toBe(17);
  });
});

describe('planClip on packets whose times are not their frames\' times', () => {
  // Packed B-frames (Xvid, DivX): the decoder reorders, yet every packet is stored as shown when decoded.
  const packed = new PacketTable(Array.from({ length: 30 }, (_, i) => ({ pts: i / FPS, dts: i / FPS, duration: 1 / FPS, key: i % 10 === 0 })));

  it('re-encodes the clip whole when the decoder reorders frames', () => {
    const { plan, fallback } = planClip(request(3, 15), packed, { mode: 'smart', joinable: true, reorders: true });
    expect(plan.mode).toBe('reencode');
    expect(fallback).toMatch(/packed B-frames/);
  });

  it('plans from them as usual when it does not', () => {
    expect(planClip(request(3, 15), packed, { mode: 'smart', joinable: true, reorders: false }).plan.mode).toBe('smart');
  });
});
