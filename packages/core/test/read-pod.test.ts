import { Result } from "effect"
import { describe, expect, it } from "vitest"
import { explainResolution, readPod } from "../src/index.ts"
import { configurationFromText, kubespawnerPod, resolveOrThrow } from "./helpers.ts"

describe("reading what a pod says about its spawn (SPEC 5)", () => {
  it("user, groups (JSON or comma-separated), size, GPU type and the notebook container's image", () => {
    const pod = kubespawnerPod("alice", "img:1")
    const annotated = { ...pod, metadata: { annotations: {
      "hub.jupyter.org/username": "alice",
      "jsp.opendatahub.io/groups": "[\"a\", \"b\", 3]",
      "jsp.opendatahub.io/size": "Small",
      "jsp.opendatahub.io/gpu-type": "t4"
    } } }
    const read = readPod(annotated)
    expect(Result.isSuccess(read) && read.success.spawn).toEqual({ user: "alice", groups: ["a", "b"], image: "img:1", size: "Small", gpuType: "t4" })
    const commas = readPod({ ...pod, metadata: { annotations: { "jsp.opendatahub.io/groups": " a , b,," } } })
    expect(Result.isSuccess(commas) && commas.success.spawn.groups).toEqual(["a", "b"])
  })

  it("empty annotations say nothing; without groups the caller's default applies", () => {
    const read = readPod({ metadata: { annotations: { "hub.jupyter.org/username": "", "jsp.opendatahub.io/size": "" } }, spec: { containers: [{ name: "notebook" }] } })
    expect(Result.isSuccess(read) && read.success.spawn).toEqual({})
    expect(Result.isSuccess(read) && read.success.warnings).toEqual([])
  })
})

describe("explain", () => {
  it("names what set each value, in the order the pod transform uses them", () => {
    const configuration = configurationFromText(`
profiles:
  - name: base
    env: [{ name: A, value: "1" }, { name: S, valueFrom: { secretKeyRef: { name: sec, key: k } } }]
    resources: { limits: { memory: 1Gi } }
    node_tolerations: [{ key: k, operator: Exists }]
    volumes: [{ name: data, persistentVolumeClaim: { claimName: data-pvc } }]
sizes: [{ name: Big, resources: { limits: { memory: 2Gi } } }]
`)
    const lines = explainResolution(resolveOrThrow(configuration, { user: "u", size: "Big" }))
    expect(lines).toEqual([
      { field: "env A", value: "1", display: "\"1\"", from: "base" },
      { field: "env S", value: { valueFrom: { secretKeyRef: { name: "sec", key: "k" } } }, display: "from Secret sec key k", from: "base" },
      { field: "env MEM_LIMIT", value: "2147483648", display: "\"2147483648\"", from: "size:Big (limits.memory)" },
      { field: "resources.requests.memory", value: "2Gi", display: "2Gi", from: "size:Big" },
      { field: "resources.limits.memory", value: "2Gi", display: "2Gi", from: "size:Big" },
      { field: "node_tolerations", value: { key: "k", operator: "Exists" }, display: "{\"key\":\"k\",\"operator\":\"Exists\"}", from: "base" },
      { field: "volumes data", value: { name: "data", persistentVolumeClaim: { claimName: "data-pvc" } }, display: "claim data-pvc", from: "base" }
    ])
  })
})
