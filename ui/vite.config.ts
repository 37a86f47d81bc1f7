import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

// The build goes into the Python package (app/ui/static), served by `flowdeck serve`;
// FLOWDECK_UI_OUT builds elsewhere (scripts/build-ui --check compares the two).
// `npm run dev` serves the sources and sends /graphql (HTTP and websocket) to a running
// flowdeck on :8000.
export default defineConfig({
  plugins: [preact()],
  build: {
    outDir: process.env.FLOWDECK_UI_OUT ?? '../app/ui/static',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    chunkSizeWarningLimit: 400,
  },
  server: {
    proxy: {
      '/graphql': { target: 'http://127.0.0.1:8000', ws: true },
      '/exports': { target: 'http://127.0.0.1:8000' },
    },
  },
});
