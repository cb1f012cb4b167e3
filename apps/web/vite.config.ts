import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/**
 * The timeline page (DESIGN.md §8): plain TypeScript and CSS, bundled into dist/web, which the API serves
 * (apps/api/src/page). Built by `npm run build:web`; scripts/build-web.sh skips it when nothing changed.
 */
export default defineConfig({
  root: __dirname,
  base: '/',
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: resolve(__dirname, '../../dist/web'),
    emptyOutDir: true,
    target: 'es2022',
    // No inline script: the page's Content-Security-Policy allows scripts from the API alone.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: true,
    reportCompressedSize: false,
  },
});
