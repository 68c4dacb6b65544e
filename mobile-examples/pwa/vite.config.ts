import { defineConfig } from "vitest/config";

export default defineConfig({
  // Relative URLs, so the built app works from any sub-path.
  base: "./",
  build: {
    target: "es2022",
    rollupOptions: {
      // The service worker is a second entry with a fixed name: the page
      // registers "./sw.js", and its scope is the folder it is served from.
      input: { main: "index.html", sw: "src/sw.ts" },
      output: {
        entryFileNames: (chunk) => (chunk.name === "sw" ? "sw.js" : "assets/[name]-[hash].js"),
      },
    },
  },
  test: {
    include: ["tests/**/*.test.ts"],
  },
});
