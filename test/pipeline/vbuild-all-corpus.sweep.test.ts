/**
 * `vbuild all` with the embedded models on corpus videos (720p, longer than the fixtures; the
 * checks: vbuild-all-checks.ts): one of the long sweeps, `npm run test:reliability`.
 */
import { lacks, TEST_CORPUS } from '../helpers/test-data.ts';
import { describeVbuildAll } from './vbuild-all-checks.ts';

describeVbuildAll({
  name: 'corpus videos',
  faces: ['woman_frontal_static_720p.mp4', 'multishot_8shots_1280x720_25fps.mp4'],
  noFace: 'coffee_pour_noface_720p.mp4',
  skip: lacks(TEST_CORPUS, 'vbuild all on corpus videos'),
});
