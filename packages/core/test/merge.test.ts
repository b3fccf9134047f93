import { describe, expect, it } from "vitest"
import { type Contribution, mergeContributions } from "../src/index.ts"

const merge = (...contributions: Array<Contribution>) => mergeContributions(contributions)

describe("merge rules (SPEC 3)", () => {
  it("env: a later entry replaces an earlier one in place, new names are appended", () => {
    const m = merge(
      { name: "a", body: { env: [{ name: "X", value: "1" }, { name: "Y", value: "1" }] } },
      { name: "b", body: { env: [{ name: "Z", value: "2" }, { name: "X", value: "2" }] } }
    )
    expect(m.env).toEqual([
      { value: { name: "X", value: "2" }, from: "b" },
      { value: { name: "Y", value: "1" }, from: "a" },
      { value: { name: "Z", value: "2" }, from: "b" }
    ])
  })

  it("resources: each quantity from the last contribution that sets it", () => {
    const m = merge(
      { name: "a", body: { resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { "nvidia.com/gpu": "1" } } } },
      { name: "b", body: { resources: { requests: { cpu: "2" }, limits: {} } } }
    )
    expect(m.resources.requests).toEqual({ cpu: { value: "2", from: "b" }, memory: { value: "1Gi", from: "a" } })
    expect(m.resources.limits).toEqual({ "nvidia.com/gpu": { value: "1", from: "a" } })
  })

  it("tolerations: concatenated, exact duplicates dropped whatever their key order", () => {
    const t1 = { key: "a", operator: "Exists" as const }
    const m = merge(
      { name: "a", body: { node_tolerations: [t1] } },
      { name: "b", body: { node_tolerations: [{ operator: "Exists" as const, key: "a" }, { key: "b", operator: "Exists" as const }] } }
    )
    expect(m.tolerations).toEqual([{ value: t1, from: "a" }, { value: { key: "b", operator: "Exists" }, from: "b" }])
  })

  it("node affinity: required is taken whole from the last, preferred is concatenated", () => {
    const term = (v: string) => ({ matchExpressions: [{ key: "k", operator: "In" as const, values: [v] }] })
    const m = merge(
      { name: "a", body: { node_affinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [term("1"), term("2")] }, preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: term("p") }] } } },
      { name: "b", body: { node_affinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [term("3")] }, preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 2, preference: term("q") }] } } },
      { name: "c", body: { node_affinity: {} } }
    )
    expect(m.nodeAffinity.required).toEqual({ value: { nodeSelectorTerms: [term("3")] }, from: "b" })
    expect(m.nodeAffinity.preferred.map((p) => p.from)).toEqual(["a", "b"])
  })

  it("volumes and services by name, later replaces; gpu from the last that sets it", () => {
    const volume = (claimName: string) => ({ name: "data", persistentVolumeClaim: { claimName } })
    const m = merge(
      { name: "a", body: { volumes: [volume("one")], services: { spark: { resources: [] } }, gpu: 2 } },
      { name: "b", body: { volumes: [volume("two")], services: { spark: { resources: [{ name: "t", path: "p" }] } } } },
      { name: "c", body: { gpu: 1 } }
    )
    expect(m.volumes).toEqual([{ value: volume("two"), from: "b" }])
    expect(m.services).toEqual([{ value: { name: "spark", service: { resources: [{ name: "t", path: "p" }] } }, from: "b" }])
    expect(m.gpu).toEqual({ value: 1, from: "c" })
    expect(m.applied).toEqual(["a", "b", "c"])
  })
})
