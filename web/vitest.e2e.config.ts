import { defineConfig } from 'vitest/config';

// Browser tests: real Chromium (Debian's, via playwright-core) against the real server binary.
// One browser for the whole run (launched in globalSetup), files one after another.
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    environment: 'node',
    globalSetup: ['e2e/globalSetup.ts'],
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    retry: 0,
  },
});
