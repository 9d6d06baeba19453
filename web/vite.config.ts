/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The Go server serves dist/ at / (SPA fallback to index.html) and the API under /api/v1.
// In development the same paths are proxied to a locally running `guestlist serve`.
// The Host header is kept (no changeOrigin) so the server's same-origin check sees
// Origin and Host agree, as it does in production.
const backend = process.env.GUESTLIST_DEV_BACKEND ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true, // public/.keep puts dist/.keep back for go:embed
    sourcemap: false,
  },
  server: {
    proxy: {
      '/api': backend,
      '/healthz': backend,
      '/readyz': backend,
    },
  },
  test: {
    include: ['src/**/*.test.{ts,tsx}'],
    environment: 'jsdom',
    setupFiles: ['src/test/setup.ts'],
    restoreMocks: true,
  },
});
