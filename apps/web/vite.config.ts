import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// The page is served by the gateway at its origin (WEB_DIR); `npm run dev -w @f2f/web` proxies the
// API to a local gateway instead (GATEWAY_ORIGIN, default http://127.0.0.1:4000).
const gateway = process.env.GATEWAY_ORIGIN ?? 'http://127.0.0.1:4000';

export default defineConfig({
  plugins: [react()],
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  server: {
    proxy: {
      '/graphql': { target: gateway, ws: true },
      '/v1': { target: gateway },
    },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test-setup.ts'],
  },
});
