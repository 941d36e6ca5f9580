/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The gateway serves the built editor from the same origin, so API calls use
// relative paths. `npm run dev` proxies them to a local gateway instead
// (or set VITE_API_URL to talk to another origin directly).
const gateway = process.env.PSYNAPSE_GATEWAY ?? "http://127.0.0.1:8000";
const apiPaths = ["/get_schema", "/nodepacks", "/catalog", "/execute", "/runs", "/workflows", "/health"];

export default defineConfig({
  base: "/",
  plugins: [react()],
  server: {
    proxy: Object.fromEntries(apiPaths.map((path) => [path, { target: gateway, changeOrigin: true }])),
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 800,
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./src/test/setup.ts"],
    css: false,
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
