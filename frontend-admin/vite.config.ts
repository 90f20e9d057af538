import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// The server serves the built console under /admin/; during `npm run dev` the API calls are proxied
// to a server on localhost:8080 (override with OTIMO_URL).
const target = process.env.OTIMO_URL ?? 'http://localhost:8080';

export default defineConfig({
  base: '/admin/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: {
      '/api': target,
      '/v2': target,
    },
  },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    css: false,
  },
});
