import { spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { node, root } from "./harness.ts"

describe("the README's library example", () => {
  const example = readFileSync(`${root}examples/library.ts`, "utf8")

  it("is the file that runs here, word for word", () => {
    const readme = readFileSync(`${root}README.md`, "utf8")
    const block = /```ts\n([\s\S]*?)```/u.exec(readme.slice(readme.indexOf("## Using the library")))?.[1]
    expect(block).toBe(example)
  })

  it("runs: the pod comes out with the profiles, the user's settings and the size applied", () => {
    const run = spawnSync(node, ["examples/library.ts"], { cwd: root, encoding: "utf8", timeout: 30_000 })
    expect(run.status).toBe(0)
    const pod = JSON.parse(run.stdout)
    expect(JSON.parse(pod.metadata.annotations["jsp.opendatahub.io/applied-profiles"])).toEqual(["globals", "Thoth Notebooks", "@singleuser@", "size:Medium"])
    expect(run.stderr).toContain("resources.limits.memory = 4Gi (from size:Medium)")
  })
})
