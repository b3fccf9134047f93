import { spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { parse } from "yaml"

const root = fileURLToPath(new URL("../../../", import.meta.url))
const testdata = (name: string) => fileURLToPath(new URL(`./testdata/${name}`, import.meta.url))
// The project's own Node 24 (its binary: pnpm's shim .bin/node would leave it running if killed), on
// the entry bin/jsp starts: the bundle built on install while it is fresh (as in CI), else src/main.ts
// itself (after an edit); launcher.test.ts checks that both print the same.
const node = `${root}node_modules/node/bin/node`
const main = `${root}packages/cli/bin/jsp.mjs`

const jsp = (args: ReadonlyArray<string>, input?: string) => {
  const result = spawnSync(node, [main, ...args], { cwd: root, input: input ?? "", encoding: "utf8", timeout: 20_000 })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

const examplePod = "examples/pod.yaml"
const config = ["--config", "examples/config"]

describe("jsp apply", () => {
  it("prints the pod with the profiles, the user's settings and their last size applied", () => {
    const { code, stdout, stderr } = jsp(["apply", ...config, "--pod", examplePod])
    expect(stderr).toBe("")
    expect(code).toBe(0)
    const pod = JSON.parse(stdout)
    expect(pod.metadata.labels["jupyterhub.opendatahub.io/user"]).toBe("vpavlin")
    expect(JSON.parse(pod.metadata.annotations["jsp.opendatahub.io/applied-profiles"])).toEqual(["globals", "Thoth Notebooks", "@singleuser@", "size:Small"])
    const notebook = pod.spec.containers[0]
    expect(notebook.resources).toEqual({ requests: { memory: "1Gi", cpu: "1" }, limits: { memory: "2Gi", cpu: "2" } })
    expect(notebook.env.find((e: { name: string }) => e.name === "MEM_LIMIT").value).toBe("2147483648")
    expect(notebook.ports).toEqual([{ containerPort: 8888, name: "notebook-port" }])
  })

  it("reads the pod from standard input and prints YAML; flags override what the pod says", () => {
    const pod = readFileSync(`${root}${examplePod}`, "utf8")
    const { code, stdout } = jsp(["apply", ...config, "--pod", "-", "--user", "acorvin", "--size", "Large", "--output", "yaml"], pod)
    expect(code).toBe(0)
    const out = parse(stdout)
    expect(out.metadata.labels["jupyterhub.opendatahub.io/user"]).toBe("acorvin")
    expect(out.spec.tolerations).toEqual([{ key: "some_node_label", operator: "Equal", value: "label_target_value", effect: "NoSchedule" }])
    expect(out.spec.containers[0].resources.limits).toEqual({ memory: "8Gi", cpu: "8" })
  })

  it("takes groups from the flag or the pod's annotation, and applies the GPU mode", () => {
    const pod = JSON.stringify({
      metadata: { annotations: { "hub.jupyter.org/username": "alice", "jsp.opendatahub.io/groups": "[\"gpu\"]" } },
      spec: { containers: [{ name: "notebook", image: "s2i-minimal-notebook:1" }] }
    })
    const fromPod = JSON.parse(jsp(["apply", "-c", testdata("groups.yaml"), "--pod", "-", "--gpu-mode", "privileged"], pod).stdout)
    expect(fromPod.spec.containers[0].securityContext).toEqual({ privileged: true })
    expect(fromPod.spec.containers[0].resources.limits).toEqual({ "nvidia.com/gpu": "1" })
    const fromFlag = JSON.parse(jsp(["apply", "-c", testdata("groups.yaml"), "--pod", "-", "--group", "data-science"], pod).stdout)
    expect(fromFlag.spec.containers[0].env.find((e: { name: string }) => e.name === "TEAM")).toEqual({ name: "TEAM", value: "data-science" })
    expect(fromFlag.spec.containers[0].resources).toBeUndefined()
  })

  it("says that services are resolved but not created, rather than dropping them silently", () => {
    const { code, stderr } = jsp(["apply", ...config, "--pod", examplePod, "--image", "s2i-spark-notebook:3.6"])
    expect(code).toBe(0)
    expect(stderr).toBe("warning: services spark (from Spark Notebook), airflow (from Spark Notebook) are resolved but not created by this version of jsp; their return values are not in the pod\n")
  })

  it("an unknown size: exit 1, one line listing the known sizes, no stack trace", () => {
    const { code, stdout, stderr } = jsp(["apply", ...config, "--pod", examplePod, "--size", "Huge"])
    expect(code).toBe(1)
    expect(stdout).toBe("")
    expect(stderr).toBe("jsp: unknown size \"Huge\" (known sizes: Small, Medium, Large)\n")
  })

  it("--verbose adds the cause", () => {
    const { code, stderr } = jsp(["apply", ...config, "--pod", examplePod, "--size", "Huge", "--verbose"])
    expect(code).toBe(1)
    expect(stderr.split("\n").length).toBeGreaterThan(2)
    expect(stderr).toContain("UnknownSize")
  })

  it("an unreadable pod: exit 3; a pod that is not a pod: exit 1", () => {
    expect(jsp(["apply", ...config, "--pod", "nope.yaml"])).toMatchObject({ code: 3, stderr: expect.stringMatching(/^jsp: cannot read pod nope\.yaml: .*\n$/u) })
    expect(jsp(["apply", ...config, "--pod", "-"], "[1, 2]\n")).toMatchObject({ code: 1, stderr: "jsp: pod: expected a Pod object\n" })
    expect(jsp(["apply", ...config, "--pod", "-"], "{\"spec\": {\"containers\": [{\"name\": \"n\"}]}}")).toMatchObject({
      code: 1, stderr: "jsp: no user: name one, or annotate the pod with hub.jupyter.org/username\n"
    })
  })

  it("a usage error: exit 2 and a one-line message pointing at the help", () => {
    const { code, stderr } = jsp(["apply", "--bogus"])
    expect(code).toBe(2)
    expect(stderr).toBe("jsp: Unrecognized flag: --bogus in command jsp apply (see 'jsp apply --help')\n")
  })
})

describe("jsp resolve and explain", () => {
  it("resolve prints the merged profile with every section", () => {
    const { code, stdout } = jsp(["resolve", ...config, "--user", "acorvin", "--image", "s2i-spark-notebook:3.6"])
    expect(code).toBe(0)
    const resolved = JSON.parse(stdout)
    expect(Object.keys(resolved)).toEqual(["image", "profiles", "size", "env", "resources", "node_tolerations", "node_affinity", "volumes", "services", "gpu", "warnings"])
    expect(resolved.profiles).toEqual(["globals", "Special Nodes", "Spark Notebook"])
    expect(Object.keys(resolved.services)).toEqual(["spark", "airflow"])
  })

  it("resolve uses the user's last selected image when none is named", () => {
    const resolved = JSON.parse(jsp(["resolve", ...config, "--user", "vpavlin"]).stdout)
    expect(resolved.image).toBe("s2i-thoth-notebook:3.6")
    expect(resolved.profiles).toEqual(["globals", "Thoth Notebooks", "@singleuser@", "size:Small"])
    expect(jsp(["resolve", ...config, "--user", "nobody"])).toMatchObject({ code: 1, stderr: expect.stringContaining("no image") })
    expect(jsp(["resolve", ...config])).toMatchObject({ code: 2, stderr: "jsp: no user: name one with --user\n" })
  })

  it("explain answers \"why does my pod have this?\", one line per value", () => {
    const { code, stdout } = jsp(["explain", ...config, "--user", "vpavlin", "--size", "Medium"])
    expect(code).toBe(0)
    const lines = stdout.split("\n")
    expect(lines[1]).toBe("applied:  globals, Thoth Notebooks, @singleuser@, size:Medium")
    expect(lines.find((l) => l.startsWith("env THOTH_CEPH_BUCKET "))).toMatch(/"DH-DEV-DATA"\s+← Thoth Notebooks$/u)
    expect(lines.find((l) => l.startsWith("env MY_OWN_SETTING "))).toMatch(/← @singleuser@$/u)
    expect(lines.find((l) => l.startsWith("resources.limits.memory "))).toMatch(/4Gi\s+← size:Medium$/u)
    expect(lines.find((l) => l.startsWith("env MEM_LIMIT "))).toMatch(/"4294967296"\s+← size:Medium \(limits.memory\)$/u)
    const unknownKey = jsp(["explain", "-c", testdata("unknown-key.yaml"), "--user", "u", "--image", "i:1"])
    expect(unknownKey.stdout).toContain(`warning: ${testdata("unknown-key.yaml")}: profiles[0].imagez: unknown key, ignored`)
    const json = JSON.parse(jsp(["explain", ...config, "--user", "vpavlin", "-o", "json"]).stdout)
    expect(json.values).toContainEqual({ field: "env THIS_IS_GLOBAL", value: "\"This will appear in all singleuser pods\"", from: "globals" })
  })
})

describe("jsp validate and schema", () => {
  it("a valid configuration: exit 0", () => {
    expect(jsp(["validate", "examples/config"])).toMatchObject({ code: 0, stdout: "valid: 1 document, 4 profiles, 3 sizes\n" })
  })

  it("an invalid one: exit 1, one line per problem naming file, field, found and expected", () => {
    const file = testdata("bad-profiles.yaml")
    const { code, stderr } = jsp(["validate", file, testdata("syntax-error.yaml")])
    expect(code).toBe(1)
    expect(stderr.split("\n")).toEqual([
      `${file}: profiles[0].resources.limits.memory: expected a Kubernetes quantity such as 500Mi or 250m, got "2Gx"`,
      `${file}: profiles[0].node_tolerations[0].operator: expected "Exists" | "Equal", got "Sometimes"`,
      `${testdata("syntax-error.yaml")}: line 3, column 1: Sequence item without - indicator`,
      `${testdata("syntax-error.yaml")}: line 4, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]`,
      "jsp: 4 problems found",
      ""
    ])
  })

  it("a size requesting more than its own limit is an error", () => {
    const file = testdata("upside-down.yaml")
    expect(jsp(["validate", file])).toMatchObject({
      code: 1,
      stderr: `${file}: size "Upside-down" resources.requests.cpu: request 4 is above the limit 2\njsp: 1 problem found\n`
    })
  })

  it("every command takes --verbose", () => {
    expect(jsp(["validate", "--verbose", "examples/config"]).code).toBe(0)
    expect(jsp(["schema", "--verbose"]).code).toBe(0)
  })

  it("schema prints the JSON Schema", () => {
    const { code, stdout } = jsp(["schema"])
    expect(code).toBe(0)
    expect(JSON.parse(stdout).$defs.Profile.properties).toHaveProperty("node_tolerations")
  })

  it("--help describes every command and every flag", () => {
    const top = jsp(["--help"]).stdout
    for (const command of ["apply", "resolve", "explain", "validate", "schema"]) expect(top).toContain(command)
    const apply = jsp(["apply", "--help"]).stdout
    for (const flag of ["--config", "--pod", "--user", "--group", "--image", "--size", "--gpu-mode", "--gpu-type", "--user-settings", "--output", "--verbose", "--default-mount-path"]) {
      expect(apply).toContain(flag)
    }
  })
})
