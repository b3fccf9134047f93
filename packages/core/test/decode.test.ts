import { readFileSync } from "node:fs"
import { Ajv2020 } from "ajv/dist/2020.js"
import { Result } from "effect"
import { describe, expect, it } from "vitest"
import { parse } from "yaml"
import { configJsonSchema, decodeConfigDocument, parseYamlDocuments } from "../src/index.ts"
import { configurationFromText, testdata } from "./helpers.ts"

const decode = (input: unknown) => decodeConfigDocument("profiles.yaml", input)
const problems = (input: unknown): string => {
  const result = decode(input)
  return Result.isFailure(result) ? result.failure.message : "valid"
}

describe("decoding the configuration document (SPEC 1)", () => {
  it("names source, field path, what was found and what was expected — every problem at once", () => {
    expect(problems({
      profiles: [{ name: "ok" }, { name: "bad", resources: { limits: { memory: "1Gx" } }, users: "bob" }],
      sizes: [{ name: "S" }],
      gpuTypes: [{ type: "a100", node_tolerations: [{ operator: "Sometimes" }] }]
    })).toBe([
      "profiles.yaml: profiles[1].users: expected array, got \"bob\"",
      "profiles.yaml: profiles[1].resources.limits.memory: expected a Kubernetes quantity such as 500Mi or 250m, got \"1Gx\"",
      "profiles.yaml: sizes[0].resources: missing key",
      "profiles.yaml: gpuTypes[0].node_tolerations[0].operator: expected \"Exists\" | \"Equal\", got \"Sometimes\""
    ].join("\n"))
  })

  it("keeps every problem to one readable line, however long the value found", () => {
    const message = problems({ profiles: [{ name: "x".repeat(1000), users: "y".repeat(1000) }] })
    expect(message.split("\n")).toHaveLength(1)
    expect(message.length).toBeLessThan(300)
    expect(message).toMatch(/^profiles\.yaml: profiles\[0\]\.users: expected array, got "y+…$/u)
  })

  it("checks the rules Kubernetes itself would apply, so a bad profile fails here and not at pod creation", () => {
    expect(problems({
      profiles: [{
        env: [{ name: "A", value: "x", valueFrom: { secretKeyRef: { name: "a", key: "b" } } }, { name: "B", valueFrom: {} }],
        node_tolerations: [{ operator: "Exists", value: "v" }],
        node_affinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "k", operator: "In" }, { key: "k", operator: "Gt", values: ["x"] }, { key: "k", operator: "Exists", values: ["x"] }] }] } },
        volumes: [{ name: "v", persistentVolumeClaim: { claimName: "Bad_Claim" } }]
      }]
    }).split("\n")).toEqual([
      "profiles.yaml: profiles[0].env[0].valueFrom: may not be given together with value",
      "profiles.yaml: profiles[0].env[1].valueFrom: expected exactly one of secretKeyRef, configMapKeyRef, fieldRef, resourceFieldRef",
      "profiles.yaml: profiles[0].node_tolerations[0].value: must be empty when operator is Exists",
      "profiles.yaml: profiles[0].node_affinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values: must not be empty when operator is In",
      "profiles.yaml: profiles[0].node_affinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[1].values: must be a single integer when operator is Gt",
      "profiles.yaml: profiles[0].node_affinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[2].values: must be empty when operator is Exists",
      "profiles.yaml: profiles[0].volumes[0].persistentVolumeClaim.claimName: expected the name of a PersistentVolumeClaim (lower-case letters, digits, '-' and '.'), got \"Bad_Claim\""
    ])
  })

  it("quotes keys that are not identifiers in paths", () => {
    expect(problems({ profiles: [{ resources: { limits: { "nvidia.com/gpu": "x" } } }] }))
      .toBe("profiles.yaml: profiles[0].resources.limits[\"nvidia.com/gpu\"]: expected a Kubernetes quantity such as 500Mi or 250m, got \"x\"")
  })

  it("reports unknown keys as warnings, never silently", () => {
    const result = decode({ profiles: [{ name: "a", image: ["typo"], node_tolerations: [{ key: "k", bogus: 1 }] }], extra: true })
    expect(Result.isSuccess(result) && result.success.warnings).toEqual([
      { source: "profiles.yaml", path: "extra", message: "unknown key, ignored" },
      { source: "profiles.yaml", path: "profiles[0].image", message: "unknown key, ignored" },
      { source: "profiles.yaml", path: "profiles[0].node_tolerations[0].bogus", message: "unknown key, ignored" }
    ])
  })

  it("accepts the legacy forms and normalises them", () => {
    const config = configurationFromText(`
profiles:
  - name: legacy
    env: { A: one, B: 2, C: true }
    resources: { mem_limit: 2Gi, cpu_limit: 1 }
  - name: numbers
    env: [{ name: PORT, value: 80 }]
    resources: { requests: { cpu: 0.5, memory: 1073741824 }, limits: { cpu: 2 } }
sizes:
  - { name: Legacy, resources: { mem_limit: 1Gi, cpu_limit: 0.25 } }`)
    const [legacy, numbers] = config.profiles
    expect(legacy?.profile.env).toEqual([{ name: "A", value: "one" }, { name: "B", value: "2" }, { name: "C", value: "true" }])
    expect(legacy?.profile.resources).toEqual({ requests: { memory: "2Gi", cpu: "1" }, limits: { memory: "2Gi", cpu: "1" } })
    expect(numbers?.profile.env).toEqual([{ name: "PORT", value: "80" }])
    expect(numbers?.profile.resources).toEqual({ requests: { cpu: "500m", memory: "1073741824" }, limits: { cpu: "2" } })
    expect(config.sizes[0]?.resources).toEqual({ requests: { memory: "1Gi", cpu: "250m" }, limits: { memory: "1Gi", cpu: "250m" } })
  })

  it("treats empty keys (YAML null) as absent, and an empty document as empty; an empty env value is \"\"", () => {
    const config = configurationFromText("profiles:\n  - name: everyone\n    users:\n    images:\n    env:\n      EMPTY:\n      LISTED: x\nsizes:\n")
    expect(config.profiles[0]?.profile).toEqual({ name: "everyone", env: [{ name: "EMPTY", value: "" }, { name: "LISTED", value: "x" }] })
    expect(Result.isSuccess(decode(null))).toBe(true)
  })

  it("combines documents in order: lists concatenated, ui overridden key by key", () => {
    const config = configurationFromText(`
profiles: [{ name: a }]
ui: { sizeConfig: { enabled: false }, imageConfig: { sort: name } }
---
profiles: [{ name: b }]
ui: { imageConfig: { sort: version } }`)
    expect(config.profiles.map((p) => p.name)).toEqual(["a", "b"])
    expect(config.ui).toEqual({ sizeConfig: { enabled: false }, imageConfig: { sort: "version" } })
  })

  it("names an unnamed profile by its place", () => {
    expect(configurationFromText("profiles: [{ users: [x] }]", "cm.yaml").profiles[0]?.name).toBe("cm.yaml#profiles[0]")
  })
})

describe("YAML", () => {
  const parseError = (text: string) => {
    const result = parseYamlDocuments("f.yaml", text)
    return Result.isFailure(result) ? result.failure.message : "parsed"
  }
  it("syntax errors name line and column", () => {
    expect(parseError("profiles:\n  - name: a\n   users: [x\n")).toMatch(/^f\.yaml: line 3, column \d+: /u)
    expect(parseError("a: 1\na: 2\n")).toMatch(/^f\.yaml: line 2, column 1: Map keys must be unique/u)
  })
})

describe("JSON Schema (jsp schema)", () => {
  it("is derived from the same Schema and describes profiles, sizes and quantities", () => {
    const schema = configJsonSchema()
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema")
    const defs = JSON.stringify(schema.$defs)
    for (const name of ["Profile", "Size", "Toleration", "NodeAffinity", "EnvVar", "Volume", "Service", "Ui"]) {
      expect(schema.$defs).toHaveProperty(name)
    }
    expect(defs).toContain("500Mi")
    expect(JSON.stringify(schema)).toContain("mem_limit")
  })

  it("accepts what jsp accepts and flags what it rejects, in a standard validator", () => {
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(configJsonSchema())
    expect(validate(parse(readFileSync(testdata("seed-profiles.yaml"), "utf8")))).toBe(true)
    expect(validate({ profiles: [{ env: { A: 1 }, resources: { mem_limit: 1, cpu_limit: "500m" } }], sizes: [{ name: "S", resources: {} }] })).toBe(true)
    expect(validate({ profiles: [{ resources: { limits: { memory: "1Gx" } } }] })).toBe(false)
    expect(validate.errors?.map((e) => e.instancePath)).toContain("/profiles/0/resources/limits/memory")
    expect(validate({ profiles: [{ imagez: ["typo"] }] })).toBe(false)
    expect(validate({ sizes: [{ name: "S" }] })).toBe(false)
  })
})

describe("what validate accepts, Kubernetes accepts", () => {
  it("env names by Kubernetes' rule; quantities it can count", () => {
    expect(problems({ profiles: [{ env: [{ name: "A=B", value: "x" }, { name: "has space", value: "y" }, { name: "1ST", value: "z" }] }] })).toBe([
      "profiles.yaml: profiles[0].env[0].name: expected an environment variable name (letters, digits, '_', '-', '.'; not starting with a digit), got \"A=B\"",
      "profiles.yaml: profiles[0].env[1].name: expected an environment variable name (letters, digits, '_', '-', '.'; not starting with a digit), got \"has space\"",
      "profiles.yaml: profiles[0].env[2].name: expected an environment variable name (letters, digits, '_', '-', '.'; not starting with a digit), got \"1ST\""
    ].join("\n"))
    expect(problems({ profiles: [{ env: { "A B": "1", GOOD: "2" } }] })).toContain("profiles.yaml: profiles[0].env")
    expect(problems({ sizes: [{ name: "S", resources: { requests: { cpu: "1e309" }, limits: { cpu: "1Gi" } } }] })).toBe(
      "profiles.yaml: sizes[0].resources.requests.cpu: expected a quantity Kubernetes can count: at most 2^63 - 1 in its base unit (about 8Ei), and no finer than 1e-1000")
  })
})
