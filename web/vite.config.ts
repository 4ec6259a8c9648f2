/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The gateway serves the build (services/gateway/waymark_gateway/static, git-ignored) at `/`; `npm run dev` serves
// the sources with hot reload and forwards GraphQL (HTTP and websockets) to the gateway of `waymark dev`.
const gateway = process.env["WAYMARK_GATEWAY_URL"] ?? "http://127.0.0.1:24119";

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "../services/gateway/waymark_gateway/static",
    emptyOutDir: true,
  },
  server: {
    proxy: {
      "/graphql": { target: gateway, ws: true, changeOrigin: true },
    },
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    restoreMocks: true,
  },
});
