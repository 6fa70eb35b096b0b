import { defineConfig } from 'vitest/config';
import { common, LONG_SWEEPS } from './vitest.config.ts';

/** `npm run test:reliability`: the long sweeps that `npm test` leaves out. */
export default defineConfig({ test: { ...common, include: LONG_SWEEPS } });
