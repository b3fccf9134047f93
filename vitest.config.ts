import { configDefaults, defineConfig } from "vitest/config"

const ci = process.env["CI"] === "true"

// Tests that use Debian packages (chromium, kubectl, JupyterHub): they run after all the others,
// so that .ci/run's install of those packages overlaps the type check and the other tests.
const system = [
  "packages/server/test/**/*.browser.test.ts",
  "packages/server/test/jupyterhub.e2e.test.ts",
  "deploy/test/render.test.ts"
]

export default defineConfig({
  test: {
    // The CLI tests start real `jsp` processes; two cores on the CI machines.
    testTimeout: 30_000,
    // Two files at a time on the two cores (vitest's default leaves one core to itself): many
    // tests mostly wait — on processes, servers, timers — so the suite takes ~40% less time.
    maxWorkers: 2,
    // CI reads the counts from the JSON report to print its closing line.
    reporters: ci ? ["default", "json"] : ["default"],
    ...(ci ? { outputFile: { json: ".vitest-results.json" } } : {}),
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["packages/*/test/**/*.test.ts", "deploy/test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...system],
          sequence: { groupOrder: 0 }
        }
      },
      { extends: true, test: { name: "system", include: system, sequence: { groupOrder: 1 } } }
    ]
  }
})
