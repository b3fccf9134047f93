import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { parse } from "yaml"
import { jsp, jspProcess, root, testdata } from "./harness.ts"

const examplePod = "examples/pod.yaml"
const config = ["--config", "examples/config"]

describe("jsp apply", () => {
  it("prints the pod with the profiles, the user's settings and their last size applied", async () => {
    const { code, stdout, stderr } = await jsp(["apply", ...config, "--pod", examplePod])
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

  it("reads the pod from standard input and prints YAML; flags override what the pod says", async () => {
    const pod = readFileSync(`${root}${examplePod}`, "utf8")
    const { code, stdout } = jspProcess(["apply", ...config, "--pod", "-", "--user", "acorvin", "--size", "Large", "--output", "yaml"], pod)
    expect(code).toBe(0)
    const out = parse(stdout)
    expect(out.metadata.labels["jupyterhub.opendatahub.io/user"]).toBe("acorvin")
    expect(out.spec.tolerations).toEqual([{ key: "some_node_label", operator: "Equal", value: "label_target_value", effect: "NoSchedule" }])
    expect(out.spec.containers[0].resources.limits).toEqual({ memory: "8Gi", cpu: "8" })
  })

  it("takes groups from the flag or the pod's annotation, and applies the GPU mode", async () => {
    const pod = JSON.stringify({
      metadata: { annotations: { "hub.jupyter.org/username": "alice", "jsp.opendatahub.io/groups": "[\"gpu\"]" } },
      spec: { containers: [{ name: "notebook", image: "s2i-minimal-notebook:1" }] }
    })
    const file = join(mkdtempSync(join(tmpdir(), "jsp-pod-")), "pod.json")
    writeFileSync(file, pod)
    const fromPod = JSON.parse((await jsp(["apply", "-c", testdata("groups.yaml"), "--pod", file, "--gpu-mode", "privileged"])).stdout)
    expect(fromPod.spec.containers[0].securityContext).toEqual({ privileged: true })
    expect(fromPod.spec.containers[0].resources.limits).toEqual({ "nvidia.com/gpu": "1" })
    const fromFlag = JSON.parse((await jsp(["apply", "-c", testdata("groups.yaml"), "--pod", file, "--group", "data-science"])).stdout)
    expect(fromFlag.spec.containers[0].env.find((e: { name: string }) => e.name === "TEAM")).toEqual({ name: "TEAM", value: "data-science" })
    expect(fromFlag.spec.containers[0].resources).toBeUndefined()
  })

  it("says that services are resolved but not created, rather than dropping them silently", async () => {
    const { code, stderr } = await jsp(["apply", ...config, "--pod", examplePod, "--image", "s2i-spark-notebook:3.6"])
    expect(code).toBe(0)
    expect(stderr).toBe("warning: services: spark (from Spark Notebook), airflow (from Spark Notebook) are not created by jsp apply (jsp services up or jsp serve's webhook create them); their return values are not in the pod\n")
  })

  it("an unknown size: exit 1, one line listing the known sizes, no stack trace", async () => {
    const { code, stdout, stderr } = await jsp(["apply", ...config, "--pod", examplePod, "--size", "Huge"])
    expect(code).toBe(1)
    expect(stdout).toBe("")
    expect(stderr).toBe("jsp: unknown size \"Huge\" (known sizes: Small, Medium, Large)\n")
  })

  it("--verbose adds the cause (the real process)", async () => {
    const { code, stderr } = jspProcess(["apply", ...config, "--pod", examplePod, "--size", "Huge", "--verbose"])
    expect(code).toBe(1)
    expect(stderr.split("\n").length).toBeGreaterThan(2)
    expect(stderr).toContain("UnknownSize")
  })

  it("an unreadable pod: exit 3; a pod that is not a pod: exit 1", async () => {
    expect(await jsp(["apply", ...config, "--pod", "nope.yaml"])).toMatchObject({ code: 3, stderr: expect.stringMatching(/^jsp: cannot read pod nope\.yaml: .*\n$/u) })
    expect(jspProcess(["apply", ...config, "--pod", "-"], "[1, 2]\n")).toMatchObject({ code: 1, stderr: "jsp: pod: expected a Pod object\n" })
    expect(jspProcess(["apply", ...config, "--pod", "-"], "{\"spec\": {\"containers\": [{\"name\": \"n\"}]}}")).toMatchObject({
      code: 1, stderr: "jsp: no user: name one, or annotate the pod with hub.jupyter.org/username\n"
    })
  })

  it("a usage error: exit 2, what is wrong and where the help is on standard error, nothing on standard output", async () => {
    expect(await jsp(["apply", "--bogus"])).toEqual({ code: 2, stdout: "", stderr: "jsp: unknown flag --bogus for 'jsp apply'\njsp: see 'jsp apply --help'\n" })
  })
})

describe("jsp resolve and explain", () => {
  it("resolve prints the merged profile with every section", async () => {
    const { code, stdout } = await jsp(["resolve", ...config, "--user", "acorvin", "--image", "s2i-spark-notebook:3.6"])
    expect(code).toBe(0)
    const resolved = JSON.parse(stdout)
    expect(Object.keys(resolved)).toEqual(["image", "profiles", "size", "env", "resources", "node_tolerations", "node_affinity", "volumes", "services", "gpu", "warnings"])
    expect(resolved.profiles).toEqual(["globals", "Special Nodes", "Spark Notebook"])
    expect(Object.keys(resolved.services)).toEqual(["spark", "airflow"])
  })

  it("resolve uses the user's last selected image when none is named", async () => {
    const resolved = JSON.parse((await jsp(["resolve", ...config, "--user", "vpavlin"])).stdout)
    expect(resolved.image).toBe("s2i-thoth-notebook:3.6")
    expect(resolved.profiles).toEqual(["globals", "Thoth Notebooks", "@singleuser@", "size:Small"])
    expect(await jsp(["resolve", ...config, "--user", "nobody"])).toMatchObject({ code: 1, stderr: expect.stringContaining("no image") })
    expect(await jsp(["resolve", ...config])).toMatchObject({ code: 2, stderr: "jsp: no user: name one with --user\n" })
  })

  it("explain answers \"why does my pod have this?\", one line per value", async () => {
    const { code, stdout } = await jsp(["explain", ...config, "--user", "vpavlin", "--size", "Medium"])
    expect(code).toBe(0)
    const lines = stdout.split("\n")
    expect(lines[1]).toBe("applied:  globals, Thoth Notebooks, @singleuser@, size:Medium")
    expect(lines[3]).toMatch(/^FIELD +SET BY +VALUE$/u)
    expect(lines.find((l) => l.startsWith("env THOTH_CEPH_BUCKET "))).toMatch(/ Thoth Notebooks +"DH-DEV-DATA"$/u)
    expect(lines.find((l) => l.startsWith("env MY_OWN_SETTING "))).toMatch(/ @singleuser@ +"42"$/u)
    expect(lines.find((l) => l.startsWith("resources.limits.memory "))).toMatch(/ size:Medium +4Gi$/u)
    expect(lines.find((l) => l.startsWith("env MEM_LIMIT "))).toMatch(/ size:Medium \(limits.memory\) +"4294967296"$/u)
    const unknownKey = await jsp(["explain", "-c", testdata("unknown-key.yaml"), "--user", "u", "--image", "i:1"])
    expect(unknownKey.stdout).toContain(`warning: ${testdata("unknown-key.yaml")}: profiles[0].imagez: unknown key, ignored`)
    const json = JSON.parse((await jsp(["explain", ...config, "--user", "vpavlin", "-o", "json"])).stdout)
    expect(json.values).toContainEqual({ field: "env THIS_IS_GLOBAL", value: "This will appear in all singleuser pods", from: "globals" })
  })

  it("explain -o json gives each value as itself: strings, quantity strings, numbers, objects", async () => {
    const { code, stdout } = await jsp(["explain", ...config, "--user", "acorvin", "--image", "s2i-spark-notebook:3.6", "-o", "json"])
    expect(code).toBe(0)
    const values = JSON.parse(stdout).values
    expect(values).toContainEqual({ field: "env MEM_LIMIT", value: "1073741824", from: "globals (limits.memory)" })
    expect(values).toContainEqual({ field: "resources.requests.cpu", value: "250m", from: "globals" })
    expect(values).toContainEqual({
      field: "env MYAPP_SECRET_TOKEN", value: { valueFrom: { secretKeyRef: { name: "testing-secret-token", key: "SECRET_TOKEN" } } }, from: "globals"
    })
    expect(values).toContainEqual({
      field: "node_tolerations", value: { key: "some_node_label", operator: "Equal", value: "label_target_value", effect: "NoSchedule" }, from: "Special Nodes"
    })
    const affinity = values.find((v: { field: string }) => v.field === "node_affinity.required")
    expect(affinity.value.nodeSelectorTerms[0].matchExpressions[0].values).toEqual(["label_target_value_1", "label_target_value_2"])
    for (const v of values) expect(Object.keys(v)).toEqual(["field", "value", "from"])
  })

  it("explain's text columns stay aligned whatever the length of a value: the value comes last", async () => {
    const { stdout } = await jsp(["explain", ...config, "--user", "acorvin", "--image", "s2i-spark-notebook:3.6"])
    const table = stdout.split("\n").slice(3).filter((l) => l !== "" && !l.startsWith("warning:"))
    expect(table.find((l) => l.startsWith("node_affinity.required"))!.length).toBeGreaterThan(120)
    const valueColumn = table[0]!.indexOf("VALUE")
    const setByColumn = table[0]!.indexOf("SET BY")
    for (const line of table.slice(1)) {
      expect(line[valueColumn - 1], line).toBe(" ")
      expect(line[valueColumn], line).not.toBe(" ")
      expect(line[setByColumn - 1], line).toBe(" ")
      expect(line[setByColumn], line).not.toBe(" ")
    }
  })
})

describe("jsp images with --imagestreams: no cluster at all", () => {
  const imagestreams = ["--imagestreams", "examples/cluster/imagestreams.yaml"]

  it("lists the files' images as the form orders them, the user's last choice marked", async () => {
    const { code, stdout, stderr } = await jsp(["images", ...config, ...imagestreams, "--user", "vpavlin"])
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" })
    expect(stdout.split("\n").slice(1, 4).map((line) => line.split(/\s{2,}/u).slice(0, 4))).toEqual([
      ["s2i-minimal-notebook:3.6", "Minimal Python", "10", "default,recommended"],
      ["s2i-spark-notebook:3.6", "s2i-spark-notebook:3.6", "100", "Notebook image with a Spark cluster per user"],
      ["s2i-thoth-notebook:3.6", "s2i-thoth-notebook:3.6", "100", "last selected"]
    ])
  })

  it("a file without ImageStreams, or a missing one: exit 3 naming it; cluster flags with files only: a usage error", async () => {
    expect(await jsp(["images", ...config, "--imagestreams", "examples/config"])).toEqual({
      code: 3, stdout: "", stderr: "jsp: examples/config: no ImageStream found (expected ImageStream manifests: kind ImageStream, ImageStreamList or List)\n"
    })
    expect(await jsp(["images", ...config, "--imagestreams", "nope.yaml"])).toEqual({ code: 3, stdout: "", stderr: "jsp: nope.yaml: no such file or directory\n" })
    expect(await jsp(["images", ...config, ...imagestreams, "--kubeconfig", "/tmp/k"])).toEqual({
      code: 2, stdout: "", stderr: "jsp: --kubeconfig reaches a cluster, but the configuration comes from files (--config or --source file): drop one or the other\n"
    })
  })
})

describe("jsp validate and schema", () => {
  it("a valid configuration: exit 0", async () => {
    expect(await jsp(["validate", "examples/config"])).toMatchObject({ code: 0, stdout: "valid: 1 document, 4 profiles, 3 sizes\n" })
  })

  it("an invalid one: exit 1, one line per problem naming file, field, found and expected", async () => {
    const file = testdata("bad-profiles.yaml")
    const { code, stderr } = await jsp(["validate", file, testdata("syntax-error.yaml")])
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

  it("nothing found is not success: validate fails, every other command warns naming the paths", async () => {
    const empty = mkdtempSync(join(tmpdir(), "jsp-empty-"))
    expect(await jsp(["validate", empty])).toEqual({ code: 1, stdout: "", stderr: `${empty}: no configuration found\njsp: 1 problem found\n` })
    const notice = `${empty}: no configuration found (no configuration document, no ConfigMap jupyter-singleuser-profiles, none labelled jupyterhub.opendatahub.io/user=profile); every spawn gets nothing from jsp`
    expect((await jsp(["sizes", "-c", empty])).stderr).toBe(`warning: ${notice}\n`)
    const resolved = await jsp(["resolve", "-c", empty, "--user", "u", "--image", "i:1"])
    expect(resolved.code).toBe(0)
    expect(JSON.parse(resolved.stdout).warnings).toEqual([{ source: empty, message: notice.slice(empty.length + 2) }])
  })

  it("a size requesting more than its own limit is an error", async () => {
    const file = testdata("upside-down.yaml")
    expect(await jsp(["validate", file])).toMatchObject({
      code: 1,
      stderr: `${file}: size "Upside-down" resources.requests.cpu: request 4 is above the limit 2\njsp: 1 problem found\n`
    })
  })

  it("every command takes --verbose", async () => {
    expect((await jsp(["validate", "--verbose", "examples/config"])).code).toBe(0)
    expect((await jsp(["schema", "--verbose"])).code).toBe(0)
  })

  it("schema prints the JSON Schema", async () => {
    const { code, stdout } = await jsp(["schema"])
    expect(code).toBe(0)
    expect(JSON.parse(stdout).$defs.Profile.properties).toHaveProperty("node_tolerations")
  })

  it("--help describes every command and every flag", async () => {
    const top = (await jsp(["--help"])).stdout
    for (const command of ["apply", "resolve", "explain", "validate", "schema"]) expect(top).toContain(command)
    const apply = (await jsp(["apply", "--help"])).stdout
    for (const flag of ["--config", "--pod", "--user", "--group", "--image", "--size", "--gpu-mode", "--gpu-type", "--user-settings", "--output", "--verbose", "--default-mount-path"]) {
      expect(apply).toContain(flag)
    }
  })
})
