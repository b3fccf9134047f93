import { defineConfig } from "vitest/config"

const ci = process.env["CI"] === "true"

export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts", "deploy/test/**/*.test.ts"],
    // The CLI tests start real `jsp` processes; two cores on the CI machines.
    testTimeout: 30_000,
    // CI reads the counts from the JSON report to print its closing line.
    reporters: ci ? ["default", "json"] : ["default"],
    ...(ci ? { outputFile: { json: ".vitest-results.json" } } : {})
  }
})
