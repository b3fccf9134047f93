import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts"],
    // The CLI tests start real `jsp` processes; two cores on the CI machines.
    testTimeout: 30_000
  }
})
