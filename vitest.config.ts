import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores here; test files run in parallel forks, each with its own databases.
    pool: "forks",
    reporters: process.env.CI === "true" ? ["default"] : ["default"],
  },
});
