/** What the scan rule writes: probe.json, and decoding.json for a file decoded another way than the plain one. */
import type { Probe } from '../media/probe.ts';

export const PROBE_FILE = 'probe.json';
/**
 * How this video is decoded for analysis where that departs from the plain way (video-stream.ts):
 * written only then. The rules that decode the video read it, so it joins their keys exactly for
 * such files: cover art muxed first, a second rendition, anamorphic pixels. Their earlier results
 * came from another stream or shape and are rebuilt; every other file's stay fresh.
 */
export const DECODING_FILE = 'decoding.json';

/**
 * What `scan` writes: the Probe without the file name. Artifacts are keyed by content, so a
 * renamed video reuses this one; it must not carry a name.
 */
export type ProbeFile = Omit<Probe, 'file'>;
