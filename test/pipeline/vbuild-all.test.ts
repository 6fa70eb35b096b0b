/** `vbuild all` with the embedded models on the fixtures (the checks: vbuild-all-checks.ts). */
import { describeVbuildAll } from './vbuild-all-checks.ts';

describeVbuildAll({
  name: 'the fixtures',
  faces: ['hamilton_whitehouse_cuts_640x360.mp4', 'multishot_8shots_640x360_25fps.mp4'],
  noFace: 'leaf_noface_720p_noaudio.mp4',
  skip: false,
});
