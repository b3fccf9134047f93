import { readFileSync } from "node:fs"
import { Result } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { parse } from "yaml"
import type { Service } from "../src/config/service.ts"
import { formatWarning, isDnsLabel, toDnsLabel } from "../src/index.ts"
import { planService, serviceOwnerName } from "../src/services/plan.ts"
import { isReady, serviceReturns } from "../src/services/returns-eval.ts"
import { seed, testdata } from "./helpers.ts"
import { hostileText, userName } from "./arbitraries.ts"

const templateConfigMap = parse(readFileSync(testdata("spark-cluster-template.yaml"), "utf8"))
const templates: Record<string, Record<string, string>> = { "spark-cluster-template": templateConfigMap.data }
const template = (configMap: string, key: string) => {
  const text = templates[configMap]?.[key]
  return text === undefined ? undefined : { source: `ConfigMap ${configMap} key ${key}`, text }
}
const owner = { apiVersion: "v1", kind: "ConfigMap", name: serviceOwnerName("vpavlin"), uid: "uid-1" }
const spark = seed.profiles.find((p) => p.name === "Spark Notebook")?.profile.services?.["spark"]
if (spark === undefined) throw new Error("the seed has no spark service")

const plan = (service: Service, user = "vpavlin", templatesFor = template) => planService("spark", service, { user, template: templatesFor, owner })

describe("planning a service (SPEC 7)", () => {
  it("renders the README's Spark cluster: name with the user, labels, owner reference, values from configuration", () => {
    const planned = plan(spark)
    expect(Result.isSuccess(planned) && planned.success).toEqual([{
      service: "spark",
      configMap: "spark-cluster-template",
      key: "sparkClusterTemplate",
      object: {
        kind: "SparkCluster",
        apiVersion: "radanalytics.io/v1",
        metadata: {
          name: "spark-cluster-vpavlin",
          labels: { "opendatahub.io/component": "jupyterhub" },
          ownerReferences: [owner]
        },
        spec: { worker: { instances: "1", memoryLimit: "4Gi" }, master: { memoryLimit: "1Gi" } }
      }
    }])
  })

  it("appends the user to a name that lacks it; without a name, one is made", () => {
    templates["t"] = { named: "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: shared }\n", unnamed: "apiVersion: v1\nkind: ConfigMap\n" }
    const planned = plan({ resources: [{ name: "t", path: "named" }, { name: "t", path: "unnamed" }] }, "Ada Lovelace")
    const names = Result.isSuccess(planned) ? planned.success.map((p) => p.object.metadata["name"]) : []
    expect(names).toEqual([expect.stringMatching(/^shared-ada-lovelace---[0-9a-f]{8}$/u), expect.stringMatching(/^spark-unnamed-ada-lovelace---[0-9a-f]{8}$/u)])
  })

  it("a list or mapping from configuration written out whole is its JSON; scalars and their fields as they are", () => {
    templates["values"] = {
      t: "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: values }\ndata:\n  whole: \"{{ limits }}\"\n  list: \"{{ zones }}\"\n  field: \"{{ limits.cpu }}\"\n  each: \"{% for z in zones %}[{{ z }}]{% endfor %}\"\n  none: \"{{ nothing }}\"\n  count: \"{{ zones | size }}\"\n"
    }
    const planned = plan({ resources: [{ name: "values", path: "t" }], configuration: { limits: { cpu: "2", memory: "4Gi" }, zones: ["a", "b"], nothing: null } })
    expect(Result.isSuccess(planned) && planned.success[0]?.object["data"]).toEqual({
      whole: "{\"cpu\":\"2\",\"memory\":\"4Gi\"}",
      list: "[\"a\",\"b\"]",
      field: "2",
      each: "[a][b]",
      none: "",
      count: "2"
    })
  })

  it("every failure names the service, the template and the cause", () => {
    templates["bad"] = {
      unquoted: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ user }}\n",
      undefinedVariable: "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: \"{{ nope }}\" }\n",
      list: "- a\n- b\n",
      noKind: "apiVersion: v1\n",
      noApiVersion: "kind: ConfigMap\n",
      badName: "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: \"UPPER_{{ user }}\" }\n",
      include: "apiVersion: v1\nkind: ConfigMap\ndata: { x: \"{% include '/etc/passwd' %}\" }\n"
    }
    const message = (path: string) => {
      const planned = plan({ resources: [{ name: path === "missing" ? "nowhere" : "bad", path }] })
      return Result.isFailure(planned) ? planned.failure.message : "planned"
    }
    expect(message("unquoted")).toBe("service \"spark\": template ConfigMap bad key unquoted line 4: an unquoted {{ … }} where a whole value stands is a YAML mapping, not text: quote the expression, e.g. \"{{ user }}\"")
    expect(message("undefinedVariable")).toMatch(/^service "spark": template ConfigMap bad key undefinedVariable: undefined variable: nope\b/u)
    expect(message("missing")).toBe("service \"spark\": template ConfigMap nowhere key missing: no such template (the ConfigMap or its key is missing)")
    expect(message("list")).toBe("service \"spark\": template ConfigMap bad key list: expected one Kubernetes object (a mapping)")
    expect(message("noKind")).toBe("service \"spark\": template ConfigMap bad key noKind: kind is missing")
    expect(message("noApiVersion")).toBe("service \"spark\": template ConfigMap bad key noApiVersion: apiVersion is missing")
    expect(message("include")).toMatch(/^service "spark": template ConfigMap bad key include: /u)
    expect(message("include")).not.toContain("root:")
    expect(message("badName")).toMatch(/the object's name "UPPER_vpavlin" is not a valid Kubernetes name/u)
  })

  it("hostile users and values never change the structure, always give valid names, and run nothing", () => {
    const hostile = fc.oneof(userName, fc.constantFrom("{{ 7 | plus: 1 }}", "{% raw %}x", "\"; rm -rf /", "a: b\nc: [d]", "}}{{", "x".repeat(1_000)))
    fc.assert(fc.property(hostile, hostile, (user, value) => {
      const planned = plan({ ...spark, configuration: { worker_instances: value, worker_memory_limit: value, master_memory_limit: "1Gi" } }, user)
      if (Result.isFailure(planned)) throw planned.failure
      const [only] = planned.success
      expect(Object.keys(only?.object ?? {})).toEqual(["kind", "apiVersion", "metadata", "spec"])
      expect(only?.object["spec"]).toEqual({ worker: { instances: value, memoryLimit: value }, master: { memoryLimit: "1Gi" } })
      const name = String(only?.object.metadata["name"])
      expect(name.startsWith("spark-cluster-") && isDnsLabel(name.slice("spark-cluster-".length))).toBe(true)
    }), { numRuns: 300 })
  })
})

describe("hostile input (SPEC 10): users and configuration values with template, YAML and JSON syntax", () => {
  const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/u
  templates["hostile"] = {
    object: [
      "apiVersion: v1",
      "kind: ConfigMap",
      "metadata:",
      "  name: \"svc-{{ user }}\"",
      "  labels: { owner: \"{{ USERNAME }}\" }",
      "  annotations: { note: \"{{ note }}\" }",
      "data:",
      "  note: \"{{ note }}\"",
      "  both: \"{{ note }}/{{ other }}\"",
      "  list: [\"{{ other }}\", \"{% if other %}set{% endif %}\", 3]",
      "  raw: \"{% raw %}{{ note }}{% endraw %}\"",
      ""
    ].join("\n"),
    unnamed: "apiVersion: v1\nkind: Secret\nstringData: { token: \"{{ note }}\" }\n"
  }
  const hostile = (user: string, note: string, other: string) =>
    planService("h", { resources: [{ name: "hostile", path: "object" }, { name: "hostile", path: "unnamed" }], configuration: { note, other }, labels: { app: "x" } }, { user, template, owner })

  it("every rendered object has the template's structure, each value is the text given, every name is valid, nothing runs", () => {
    fc.assert(fc.property(hostileText, hostileText, hostileText, (user, note, other) => {
      const planned = hostile(user, note, other)
      if (Result.isFailure(planned)) throw planned.failure
      const escaped = toDnsLabel(user)
      expect(planned.success.map((p) => p.object)).toEqual([{
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: `svc-${escaped}`, labels: { owner: escaped, app: "x" }, annotations: { note }, ownerReferences: [owner] },
        data: { note, both: `${note}/${other}`, list: [other, "set", 3], raw: "{{ note }}" }
      }, {
        apiVersion: "v1",
        kind: "Secret",
        // SPEC 7: the user is appended unless the name already contains it ("d" is in "unnamed").
        metadata: { name: "h-unnamed".includes(escaped) ? "h-unnamed" : `h-unnamed-${escaped}`, labels: { app: "x" }, ownerReferences: [owner] },
        stringData: { token: note }
      }])
      expect(isDnsLabel(escaped)).toBe(true)
      for (const name of [...planned.success.map((p) => String(p.object.metadata["name"])), serviceOwnerName(user)]) {
        expect(name.length <= 253 && dnsSubdomain.test(name)).toBe(true)
      }
    }), { numRuns: 100 })
  })

  it("the same through the original's examples: a value that looks like a template stays text", () => {
    const planned = hostile("{{ note }}", "{{ other }}", "{% raw %}")
    expect(Result.isSuccess(planned) && planned.success[0]?.object["data"]).toEqual({
      note: "{{ other }}", both: "{{ other }}/{% raw %}", list: ["{% raw %}", "set", 3], raw: "{{ note }}"
    })
  })
})

describe("readiness and return values", () => {
  const cluster = { metadata: { name: "spark-cluster-vpavlin", labels: { a: "1", b: "2" } }, status: { state: "Ready", nodes: ["n1", "n2"] } }

  it("a path with or without $.; one match is its value, several are comma-joined, none is a warning", () => {
    const { value, warnings } = serviceReturns("spark", { SPARK_CLUSTER: "metadata.name", STATE: "$.status.state", NODES: "status.nodes[*]", NONE: "status.missing" }, [cluster])
    expect(value).toEqual({ service: "spark", env: [
      { name: "SPARK_CLUSTER", value: "spark-cluster-vpavlin" }, { name: "STATE", value: "Ready" }, { name: "NODES", value: "n1,n2" }
    ] })
    expect(warnings.map(formatWarning)).toEqual(["service spark: return NONE: status.missing matched nothing; the variable is not set"])
  })

  it("script expressions are not evaluated: the variable is left out with a warning", () => {
    const { value, warnings } = serviceReturns("spark", { X: "$..[?(@.constructor.constructor('return process')())]" }, [cluster])
    expect(value.env).toEqual([])
    expect(warnings.map(formatWarning)).toEqual([expect.stringMatching(/^service spark: return X: .* cannot be evaluated \(.*\); the variable is not set$/u)])
  })

  it("ready when the path's value equals the one asked for", () => {
    expect(isReady(cluster, { path: "status.state", equals: "Ready" })).toBe(true)
    expect(isReady(cluster, { path: "status.state", equals: "Failed" })).toBe(false)
    expect(isReady({ status: {} }, { path: "status.state", equals: "Ready" })).toBe(false)
  })
})
