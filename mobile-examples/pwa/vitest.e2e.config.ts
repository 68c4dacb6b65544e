import { defineConfig } from "vitest/config";

// The browser test: one real Chromium against a running server and preview.
export default defineConfig({
  test: {
    include: ["tests/e2e.spec.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
