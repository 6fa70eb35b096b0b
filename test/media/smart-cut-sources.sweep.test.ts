/**
 * The smart-cut check (smart-cut-sources.ts) on the sources smart-cut.test.ts leaves out: other
 * containers (MKV, late video, rotation), open and closed GOPs, 10-bit HEVC, MPEG-4 Part 2, VP8 and a
 * VFR phone-style file. One of the long sweeps: `npm run test:reliability` runs it.
 */
import { describeSmartCuts, EVERY_RUN, FIXTURES } from './smart-cut-sources.ts';

describeSmartCuts(FIXTURES.filter((fixture) => !EVERY_RUN.has(fixture.name)));
