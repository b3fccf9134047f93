import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { parse } from "yaml"
import { root } from "./harness.ts"

describe("Node versions: Node 20 runs the install, the pinned Node 24 runs jsp", () => {
  const pkg = JSON.parse(readFileSync(`${root}package.json`, "utf8"))
  const workspace = parse(readFileSync(`${root}pnpm-workspace.yaml`, "utf8"))

  it("pnpm checks engines against the Node the install brings, so an install with Node 20 does not warn", () => {
    expect(workspace.nodeVersion).toBe(pkg.devDependencies.node)
    const [major] = String(workspace.nodeVersion).split(".")
    expect(Number(major)).toBeGreaterThanOrEqual(Number(/\d+/u.exec(pkg.engines.node)?.[0]))
  })

  it("the README says so", () => {
    const readme = readFileSync(`${root}README.md`, "utf8")
    expect(readme).toContain("Node.js 20 or later and npm (they run the install only: the install brings\nthe pinned Node 24")
  })
})
