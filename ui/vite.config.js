import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

// `weft serve` serves dist/index.html at / and dist/assets/* at /assets/*.
// During development (`npm run dev`), /api is proxied to a running server:
//   WEFT_API=http://127.0.0.1:8080 npm run dev
export default defineConfig({
  plugins: [preact()],
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    sourcemap: false,
    // Chart.js and Cytoscape are loaded on demand (dynamic import), so the
    // first page stays small; the lineage chunk is the big one.
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: process.env.WEFT_API ? { '/api': process.env.WEFT_API } : undefined,
  },
});
