import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { root } from "./jupyterhub/harness.ts"

// docs/jupyterhub.md shows the configuration files the end-to-end test runs: they must not drift apart.
const doc = readFileSync(`${root}docs/jupyterhub.md`, "utf8")
const pythonBlocks = [...doc.matchAll(/```python\n([\s\S]*?)```/gu)].map((m) => m[1])

describe("docs/jupyterhub.md", () => {
  it.each(["jupyterhub_config_webhook.py", "jupyterhub_config_hub_driven.py"])("shows deploy/jupyterhub/%s as it is", (file) => {
    expect(pythonBlocks).toContain(readFileSync(`${root}deploy/jupyterhub/${file}`, "utf8"))
  })

  it("names only hooks jsp_hooks.py defines", () => {
    const hooks = readFileSync(`${root}deploy/jupyterhub/jsp_hooks.py`, "utf8")
    const used = [...new Set([...doc.matchAll(/jsp_hooks\.(\w+)/gu)].map((m) => m[1]))].filter((name) => name !== "py")
    expect(used.length).toBeGreaterThan(5)
    for (const name of used) expect(hooks, name).toMatch(new RegExp(`^(async )?def ${name}\\(|^class ${name}\\b`, "mu"))
  })
})
