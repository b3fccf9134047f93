import { describe, expect, it } from "vitest"
import { Result } from "effect"
import { completeSpawn, formatWarning, readUserSettings, resolveProfile, type Ui, userSecretName } from "../src/index.ts"
import { seed } from "./helpers.ts"

const gpuUi: Ui = { gpuConfig: { enabled: true, type: "dropdown", gpuDropdown: { start: 0, end: 2 } } }
// What a spawn reads, its warnings as the text `warning: …` lines print; every one names the document.
const read = (input: unknown, ui: Ui = {}, user = "alice") => {
  const { value: { source, ...value }, warnings } = readUserSettings("cm alice", input, { user, ui })
  expect(source).toBe("cm alice")
  return { value, warnings: warnings.map(formatWarning) }
}

describe("per-user settings are untrusted (SPEC 1)", () => {
  it("reads env (list or map), last choices and gpu", () => {
    expect(read({ env: [{ name: "A", value: "1" }], last_selected_image: "img:1", last_selected_size: "Small", gpu: 1 }, gpuUi)).toEqual({
      value: { env: [{ name: "A", value: "1" }], lastSelectedImage: "img:1", lastSelectedSize: "Small", gpu: 1 },
      warnings: []
    })
    expect(read({ env: { A: "1", B: 2 }, gpu: "0" }, gpuUi).value).toEqual({ env: [{ name: "A", value: "1" }, { name: "B", value: "2" }], gpu: 0 })
  })

  it("ignores every other key with a warning", () => {
    const { value, warnings } = read({ resources: { limits: { cpu: "64" } }, node_tolerations: [{ operator: "Exists" }], volumes: [], env: [] })
    expect(value).toEqual({ env: [] })
    expect(warnings).toEqual([
      "cm alice: resources: users may only set env, last_selected_image, last_selected_size, gpu; ignored",
      "cm alice: node_tolerations: users may only set env, last_selected_image, last_selected_size, gpu; ignored",
      "cm alice: volumes: users may only set env, last_selected_image, last_selected_size, gpu; ignored"
    ])
  })

  it("ignores JUPYTERHUB_* and MEM_LIMIT, and references to anything but the user's own Secret", () => {
    const own = userSecretName("alice")
    const { value, warnings } = read({
      env: [
        { name: "JUPYTERHUB_API_TOKEN", value: "stolen" },
        { name: "MEM_LIMIT", value: "1" },
        { name: "HUB_SECRET", valueFrom: { secretKeyRef: { name: "jupyterhub-hub-secret", key: "token" } } },
        { name: "MINE", valueFrom: { secretKeyRef: { name: own, key: "MINE" } } },
        { name: "FIELD", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
        { name: "OK", value: "yes" },
        { name: "A=B", value: "breaks the pod" }
      ]
    })
    expect(value.env.map((e) => e.name)).toEqual(["MINE", "OK"])
    expect(warnings).toHaveLength(5)
    expect(warnings).toContain("cm alice: env \"A=B\" is not a valid environment variable name; ignored")
    expect(warnings).toContain(`cm alice: env "HUB_SECRET" may only take its value from the Secret ${own}; ignored`)
  })

  it("caps gpu at the form's maximum, and ignores it when the form offers no GPU", () => {
    expect(read({ gpu: 8 }, gpuUi)).toEqual({ value: { env: [], gpu: 2 }, warnings: ["cm alice: gpu: 8 is above the maximum of 2; capped"] })
    expect(read({ gpu: 1 })).toEqual({ value: { env: [] }, warnings: ["cm alice: gpu: the spawner form offers no GPUs (ui.gpuConfig.enabled is not true); ignored"] })
    expect(read({ gpu: "0" })).toEqual({ value: { env: [] }, warnings: [] })
    expect(read({ gpu: 3 }, { gpuConfig: { enabled: true, type: "checkbox" } }).value.gpu).toBe(1)
    expect(read({ gpu: 3 }, { gpuConfig: { enabled: true, type: "input", gpuInput: { limit: 4 }, clusterGpuCount: 2 } }).value.gpu).toBe(2)
    // Offered with no bound at all: 1, as the original form did.
    expect(read({ gpu: 3 }, { gpuConfig: { enabled: true } }).value.gpu).toBe(1)
    expect(read({ gpu: 3 }, { gpuConfig: { enabled: true, clusterGpuCount: 4 } }).value.gpu).toBe(3)
    expect(read({ gpu: -3 }, gpuUi).warnings).toEqual(["cm alice: gpu: expected a value greater than or equal to 0, got -3 (ignored)"])
  })

  it("a bad value is ignored with a warning naming it; nothing throws", () => {
    const { value, warnings } = read({ gpu: "many", last_selected_size: 3, env: "A=1" })
    expect(value).toEqual({ env: [] })
    expect(warnings).toEqual([
      "cm alice: env: expected a list of {name, value} entries or a map of NAME: value, got \"A=1\" (ignored)",
      "cm alice: last_selected_size: expected string, got 3 (ignored)",
      "cm alice: gpu: expected a whole number, got \"many\" (ignored)"
    ])
    expect(read("not a mapping").warnings).toEqual(["cm alice: expected a mapping of user settings, ignored"])
    expect(read(null)).toEqual({ value: { env: [] }, warnings: [] })
  })

  it("is applied after every profile as @singleuser@, then the last selected size", () => {
    const settings = readUserSettings("cm vpavlin", { env: [{ name: "THOTH_CEPH_BUCKET", value: "mine" }], last_selected_size: "Medium" }, { user: "vpavlin", ui: {} }).value
    const spawn = completeSpawn("vpavlin", { image: "s2i-thoth-notebook:3.6" }, undefined, settings)
    if (Result.isFailure(spawn)) throw spawn.failure
    expect(spawn.success.size).toEqual({ name: "Medium", origin: "user-settings" })
    const resolved = resolveProfile(seed, settings, spawn.success)
    if (Result.isFailure(resolved)) throw resolved.failure
    const r = resolved.success
    expect(r.merged.applied).toEqual(["globals", "Thoth Notebooks", "@singleuser@", "size:Medium"])
    expect(r.merged.env.find((e) => e.value.name === "THOTH_CEPH_BUCKET")).toEqual({ value: { name: "THOTH_CEPH_BUCKET", value: "mine" }, from: "@singleuser@" })
  })

  it("a stale last selected size warns and spawns without a size, even where an unknown size is an error", () => {
    const settings = { source: "settings.yaml", env: [], lastSelectedSize: "Gone" }
    const r = resolveProfile(seed, settings, { user: "vpavlin", groups: [], image: "s2i-minimal-notebook:3.6", size: { name: "Gone", origin: "user-settings" } })
    if (Result.isFailure(r)) throw r.failure
    expect(r.success.size).toBeUndefined()
    expect(r.success.warnings).toEqual([{
      source: "settings.yaml",
      path: "last_selected_size",
      message: "unknown size \"Gone\" (known sizes: Small, Medium, Large); spawning without a size"
    }])
  })
})
