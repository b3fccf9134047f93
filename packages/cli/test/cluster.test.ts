import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { configMaps, FakeApiServer, imageStreams, secrets } from "@jsp/kube-fake"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { parse } from "yaml"
import { jsp as run, root } from "./harness.ts"

const namespace = "odh"

let fake: FakeApiServer
let kubeconfig: string
let dir: string

// In this process: the API-server double answers from the same event loop while the command runs.
const jsp = (args: ReadonlyArray<string>) => run([...args, ...(args.includes("--server") ? [] : ["--kubeconfig", kubeconfig])])

const seedDocument = readFileSync(`${root}packages/core/test/testdata/seed-profiles.yaml`, "utf8")

beforeEach(async () => {
  fake = await FakeApiServer.start({ token: "cli-token" })
  dir = mkdtempSync(join(tmpdir(), "jsp-cli-"))
  kubeconfig = join(dir, "config")
  writeFileSync(kubeconfig, fake.kubeconfig(namespace, "cli-token"))
  fake.put(configMaps, namespace, { metadata: { name: "jupyter-singleuser-profiles" }, data: { "jupyterhub-singleuser-profiles.yaml": seedDocument } })
  fake.put(configMaps, namespace, {
    metadata: { name: "gpu-profiles", labels: { "jupyterhub.opendatahub.io/user": "profile" } },
    data: { "jupyterhub-singleuser-profiles.yaml": "ui:\n  gpuConfig: { enabled: true, type: input, gpuInput: { limit: 2 } }\n" }
  })
})
afterEach(() => fake.stop())

describe("jsp with --source cluster", () => {
  it("apply reads the ConfigMaps and the user's settings from the cluster", async () => {
    fake.put(configMaps, namespace, { metadata: { name: "jupyterhub-singleuser-profile-vpavlin" }, data: { profile: "last_selected_size: Large\n" } })
    const { code, stdout, stderr } = await jsp(["apply", "--pod", `${root}examples/pod.yaml`, "-o", "yaml"])
    expect(stderr).toBe("")
    expect(code).toBe(0)
    const out = parse(stdout)
    expect(JSON.parse(out.metadata.annotations["jsp.opendatahub.io/applied-profiles"])).toEqual(["globals", "Thoth Notebooks", "@singleuser@", "size:Large"])
    expect(fake.count("watch")).toBe(0)
  })

  it("--server and --token instead of a kubeconfig; ConfigMap names, label and key configurable", async () => {
    fake.put(configMaps, namespace, { metadata: { name: "my-profiles" }, data: { "profiles.yaml": "profiles: [{ name: mine }]" } })
    fake.put(configMaps, namespace, { metadata: { name: "b-team", labels: { team: "profiles" } }, data: { "profiles.yaml": "profiles: [{ name: team }]" } })
    const { code, stdout, stderr } = await jsp(["resolve", "--user", "x", "--image", "i:1", "--server", fake.url, "--token", "cli-token", "--namespace", namespace,
      "--configmap", "my-profiles", "--configmap-label", "team=profiles", "--configmap-key", "profiles.yaml"])
    expect(stderr).toBe("")
    expect(code).toBe(0)
    expect(JSON.parse(stdout).profiles).toEqual(["mine", "team"])
    expect((await jsp(["resolve", "--user", "x", "--image", "i:1", "--configmap-label", "nolabel"])).stderr).toBe("jsp: --configmap-label nolabel: expected KEY=VALUE\n")
  })

  it("--namespace overrides the context's namespace", async () => {
    const { code, stderr } = await jsp(["resolve", "--user", "x", "--image", "i:1", "--namespace", "empty"])
    expect(code).toBe(0)
    expect(stderr).toContain("warning: namespace empty: no configuration found (no ConfigMap jupyter-singleuser-profiles, none labelled jupyterhub.opendatahub.io/user=profile)")
    expect(fake.requests.some((r) => r.path === "/api/v1/namespaces/empty/configmaps")).toBe(true)
  })

  it("images lists the ImageStreams as the form offers them; sizes lists the sizes", async () => {
    fake.put(imageStreams, namespace, {
      metadata: { name: "s2i-thoth-notebook", labels: { "opendatahub.io/notebook-image": "true" }, annotations: { "opendatahub.io/notebook-image-desc": "Thoth" } },
      spec: { tags: [{ name: "3.6" }] }, status: { tags: [{ tag: "3.6" }] }
    })
    fake.put(configMaps, namespace, { metadata: { name: "jupyterhub-singleuser-profile-vpavlin" }, data: { profile: "last_selected_image: s2i-thoth-notebook:3.6\n" } })
    const table = await jsp(["images", "--user", "vpavlin"])
    expect(table.code).toBe(0)
    expect(table.stdout.split("\n")[0]).toMatch(/^NAME\s+DISPLAY NAME\s+ORDER\s+NOTES\s+DESCRIPTION$/u)
    expect(table.stdout.split("\n")[1]).toMatch(/^s2i-thoth-notebook:3\.6\s+s2i-thoth-notebook:3\.6\s+100\s+last selected\s+Thoth$/u)
    const json = JSON.parse((await jsp(["images", "-o", "json"])).stdout)
    expect(json).toEqual([expect.objectContaining({ name: "s2i-thoth-notebook:3.6", description: "Thoth", selected: false })])
    const sizes = await jsp(["sizes"])
    expect(sizes.stdout).toBe([
      "NAME     REQUESTS           LIMITS",
      "Small    memory=1Gi,cpu=1   memory=2Gi,cpu=2",
      "Medium   memory=2Gi,cpu=2   memory=4Gi,cpu=4",
      "Large    memory=4Gi,cpu=4   memory=8Gi,cpu=8",
      ""
    ].join("\n"))
  })

  it("user-settings set validates and writes; get reads it back; password values go to a Secret", async () => {
    const set = await jsp(["user-settings", "set", "--user", "alice", "--size", "Medium", "--gpu", "2", "--env", "A=1", "--password-env", "TOKEN=s3cret"])
    expect(set.stderr).toBe("")
    expect(set.code).toBe(0)
    expect(JSON.parse(set.stdout)).toEqual({
      last_selected_size: "Medium", gpu: 2,
      env: [{ name: "A", value: "1" }, { name: "TOKEN", valueFrom: { secretKeyRef: { name: "jupyterhub-singleuser-profile-alice-envs", key: "TOKEN" } } }]
    })
    expect(fake.store.get(secrets, namespace, "jupyterhub-singleuser-profile-alice-envs")?.["data"]).toEqual({ TOKEN: Buffer.from("s3cret").toString("base64") })
    const get = await jsp(["user-settings", "get", "--user", "alice"])
    expect(JSON.parse(get.stdout)).toEqual(JSON.parse(set.stdout))
    const tooMany = await jsp(["user-settings", "set", "--user", "alice", "--gpu", "3"])
    expect(tooMany).toMatchObject({ code: 1, stderr: "jsp: settings of alice: gpu: 3 is above the maximum of 2\n" })
    expect((await jsp(["user-settings", "get", "--user", "nobody"])).code).toBe(1)
  })

  it("validate checks the cluster's ConfigMaps: a rejected version is an error naming the ConfigMap", async () => {
    expect(await jsp(["validate"])).toMatchObject({ code: 0, stdout: "valid: 2 documents, 4 profiles, 3 sizes\n" })
    fake.put(configMaps, namespace, {
      metadata: { name: "broken", labels: { "jupyterhub.opendatahub.io/user": "profile" } },
      data: { "jupyterhub-singleuser-profiles.yaml": "profiles: [{ name: b, gpu: many }]" }
    })
    const { code, stderr } = await jsp(["validate"])
    expect(code).toBe(1)
    expect(stderr).toContain("odh: ConfigMap broken key jupyterhub-singleuser-profiles.yaml: profiles[0].gpu: expected number, got \"many\"")
  })

  it("RBAC and unreachable servers are one-line errors with exit 3", async () => {
    fake.forbid("list", "configmaps")
    const forbidden = await jsp(["resolve", "--user", "x", "--image", "i"])
    expect(forbidden.code).toBe(3)
    expect(forbidden.stderr).toMatch(/^jsp: cluster http:\/\/127\.0\.0\.1:\d+ namespace odh: forbidden \(403\): the account needs RBAC permission to "list" "configmaps" in namespace "odh"/u)
    expect(forbidden.stderr.split("\n")).toHaveLength(2)
  })

  it("images and users' settings come from the cluster even when the configuration comes from files", async () => {
    fake.put(imageStreams, namespace, {
      metadata: { name: "s2i-spark-notebook", labels: { "opendatahub.io/notebook-image": "true" } },
      spec: { tags: [{ name: "3.6" }] }, status: { tags: [{ tag: "3.6" }] }
    })
    const images = await jsp(["images", "--config", `${root}examples/config`, "-o", "json"])
    expect(images.code).toBe(0)
    expect(JSON.parse(images.stdout).map((i: { name: string }) => i.name)).toEqual(["s2i-spark-notebook:3.6"])
  })

  it("--imagestreams: the images from files, the configuration and the user's last choice still from the cluster", async () => {
    fake.put(configMaps, namespace, { metadata: { name: "jupyterhub-singleuser-profile-vpavlin" }, data: { profile: "last_selected_image: s2i-spark-notebook:3.6\n" } })
    const images = await jsp(["images", "--imagestreams", `${root}examples/cluster/imagestreams.yaml`, "--user", "vpavlin", "-o", "json"])
    expect(images).toMatchObject({ code: 0, stderr: "" })
    expect(JSON.parse(images.stdout).map((i: { name: string; selected: boolean }) => [i.name, i.selected])).toEqual([
      ["s2i-minimal-notebook:3.6", false], ["s2i-spark-notebook:3.6", true], ["s2i-thoth-notebook:3.6", false]
    ])
    expect(fake.requests.some((r) => r.path.includes("imagestreams"))).toBe(false)
  })

  it("contradictory or incomplete flags are usage errors; an unreachable cluster is exit 3 for every command", async () => {
    const usage = async (args: ReadonlyArray<string>, message: string) =>
      expect(await jsp(args)).toMatchObject({ code: 2, stderr: `jsp: ${message}\n` })
    await usage(["resolve", "--user", "x", "--image", "i", "--server", fake.url], "--server and --token go together")
    await usage(["resolve", "--user", "x", "--image", "i", "--server", fake.url, "--token", "t", "--kubeconfig", kubeconfig], "give either --kubeconfig or --server with --token, not both")
    await usage(["validate", "--source", "cluster", "some/path"], "paths are validated as files: drop --source cluster, or the paths to validate the cluster")
    await usage(["validate", "--source", "file"], "nothing to validate: give PATH…, or --source cluster")
    await usage(["resolve", "--user", "x", "--image", "i", "--user-settings", "x.yaml"], "--user-settings reads a file: it goes with --config (the cluster source reads the user's ConfigMap)")
    const unreachable = ["--server", "http://127.0.0.1:9", "--token", "t"]
    for (const command of [["sizes"], ["images"], ["user-settings", "get", "--user", "x"]]) {
      const { code, stderr } = await jsp([...command, ...unreachable])
      expect({ command, code }).toEqual({ command, code: 3 })
      expect(stderr).toMatch(/cannot reach the API server/u)
    }
  })

  it("validate --source cluster also checks users' settings, as it does for files", async () => {
    fake.put(configMaps, namespace, { metadata: { name: "jupyterhub-singleuser-profile-mallory" }, data: { profile: "resources: { limits: { cpu: '64' } }\n" } })
    const { code, stderr } = await jsp(["validate"])
    expect(code).toBe(0)
    expect(stderr).toContain("warning: odh: ConfigMap jupyterhub-singleuser-profile-mallory key profile: resources: users may only set env, last_selected_image, last_selected_size, gpu; ignored")
  })
})
