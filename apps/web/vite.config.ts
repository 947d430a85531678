import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Static files in dist/, served by registry-api at `/` (hashed names under dist/assets/ are cached
// for a year). `npx vite` serves the UI on :5173 and proxies /api to a local registry-api.
export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, assetsInlineLimit: 0, chunkSizeWarningLimit: 800 },
  server: { proxy: { "/api": "http://127.0.0.1:8080" } },
});
