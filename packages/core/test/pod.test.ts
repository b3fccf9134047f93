import { Result } from "effect"
import { describe, expect, it } from "vitest"
import {
  applyToPod,
  appliedProfilesAnnotation,
  type Json,
  type JsonObject,
  type MergedProfile,
  userLabel
} from "../src/index.ts"
import { applyOrThrow, configurationFromText, kubespawnerPod, resolveOrThrow, seed } from "./helpers.ts"

const container = (pod: JsonObject, index = 0): JsonObject => {
  const spec = pod["spec"] as JsonObject
  return (spec["containers"] as ReadonlyArray<JsonObject>)[index] as JsonObject
}
const env = (c: JsonObject) => c["env"] as ReadonlyArray<{ name: string; value?: string }>
const envValue = (c: JsonObject, name: string) => env(c).find((e) => e.name === name)?.value

const merged = (user: string, image = "s2i-minimal-notebook:3.6", extra: Record<string, unknown> = {}): MergedProfile =>
  resolveOrThrow(seed, { user, image, ...extra }).merged

describe("the pod transform (SPEC 5)", () => {
  it("labels the pod with the user, escaped to a valid label value", () => {
    expect((applyOrThrow(kubespawnerPod("vpavlin"), merged("vpavlin"), { user: "vpavlin" })["metadata"] as JsonObject)["labels"])
      .toMatchObject({ [userLabel]: "vpavlin", app: "jupyterhub" })
    const weird = "Ada Lovelace <ada@example.com>"
    const labels = (applyOrThrow(kubespawnerPod("x"), merged(weird), { user: weird })["metadata"] as JsonObject)["labels"] as Record<string, string>
    expect(labels[userLabel]).toMatch(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/u)
  })

  it("merges profile env into the notebook container by name and sets JUPYTERHUB_USER_NAME everywhere", () => {
    const pod = kubespawnerPod("vpavlin")
    const withSidecar = { ...pod, spec: { ...(pod["spec"] as JsonObject), containers: [...((pod["spec"] as JsonObject)["containers"] as ReadonlyArray<Json>), { name: "sidecar", image: "busybox" }] } }
    const out = applyOrThrow(withSidecar, merged("vpavlin", "s2i-thoth-notebook:3.6"), { user: "vpavlin" })
    const notebook = container(out)
    expect(env(notebook).map((e) => e.name)).toEqual([
      "JUPYTERHUB_API_TOKEN", "THIS_IS_GLOBAL", "MYAPP_SECRET_TOKEN", "MY_CONFIGMAP_VALUE", "THOTH_DEPLOYMENT_NAME",
      "THOTH_CEPH_BUCKET", "THOTH_CEPH_BUCKET_PREFIX", "THOTH_JANUSGRAPH_PORT", "JUPYTERHUB_USER_NAME", "MEM_LIMIT"
    ])
    expect(envValue(notebook, "MEM_LIMIT")).toBe("2147483648")
    expect(envValue(container(out, 1), "JUPYTERHUB_USER_NAME")).toBe("vpavlin")
    expect(env(container(out, 1)).map((e) => e.name)).toEqual(["JUPYTERHUB_USER_NAME"])
  })

  it("finds the notebook container by name, else uses the first", () => {
    const pod = kubespawnerPod("vpavlin")
    const spec = pod["spec"] as JsonObject
    const reordered = { ...pod, spec: { ...spec, containers: [{ name: "proxy", image: "p" }, ...(spec["containers"] as ReadonlyArray<Json>)] } }
    const out = applyOrThrow(reordered, merged("vpavlin"), { user: "vpavlin" })
    expect(envValue(container(out, 1), "THIS_IS_GLOBAL")).toBeDefined()
    expect(envValue(container(out, 0), "THIS_IS_GLOBAL")).toBeUndefined()
  })

  it.each([["1.5Gi", "1610612736"], ["2G", "2000000000"], ["500M", "500000000"], ["1e9", "1000000000"], ["1000Ki", "1024000"]])(
    "MEM_LIMIT is exact for a %s limit", (limit, expected) => {
      const config = configurationFromText(`profiles: [{ name: p, resources: { limits: { memory: "${limit}" } } }]`)
      const out = applyOrThrow(kubespawnerPod(), resolveOrThrow(config, { user: "u" }).merged, { user: "u" })
      expect(envValue(container(out), "MEM_LIMIT")).toBe(expected)
    })

  it("merges resources into the container's: quantities the profile does not name are kept", () => {
    const pod = kubespawnerPod()
    const spec = pod["spec"] as JsonObject
    const withGpu = { ...pod, spec: { ...spec, containers: [{ ...container(pod), resources: { limits: { "nvidia.com/gpu": "1", cpu: "8" }, requests: { cpu: "100m" } } }] } }
    const out = applyOrThrow(withGpu, merged("alice"), { user: "alice" })
    expect(container(out)["resources"]).toEqual({
      limits: { "nvidia.com/gpu": "1", cpu: "500m", memory: "1Gi" },
      requests: { cpu: "250m", memory: "500Mi" }
    })
  })

  it("a request above its limit is an error naming both values and where each came from", () => {
    const pod = kubespawnerPod()
    const spec = pod["spec"] as JsonObject
    const demanding = { ...pod, spec: { ...spec, containers: [{ ...container(pod), resources: { requests: { "ephemeral-storage": "2Gi" } } }] } }
    const config = configurationFromText(`
profiles: [{ name: storage, resources: { limits: { ephemeral-storage: 1Gi } } }]
sizes: [{ name: Tiny, resources: { limits: { cpu: "1" } } }]`)
    const result = applyToPod(demanding, resolveOrThrow(config, { user: "u" }).merged, { user: "u" })
    expect(Result.isFailure(result) && result.failure.message).toBe(
      "container \"notebook\": ephemeral-storage request 2Gi (from the pod) is above its limit 1Gi (from storage)")
    const cpuPod = { ...pod, spec: { ...spec, containers: [{ ...container(pod), resources: { requests: { cpu: "2" } } }] } }
    const sized = applyToPod(cpuPod, resolveOrThrow(config, { user: "u", size: "Tiny" }).merged, { user: "u" })
    // The size sets both request and limit, so the pod's own request is replaced and nothing is above.
    expect(Result.isSuccess(sized)).toBe(true)
  })

  it("appends tolerations and merges node affinity; other affinity kinds are untouched", () => {
    const pod = kubespawnerPod("acorvin")
    const spec = pod["spec"] as JsonObject
    const podAffinity = { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: "zone", labelSelector: {} }] }
    const existing = { key: "dedicated", operator: "Exists" }
    const input = { ...pod, spec: { ...spec, tolerations: [existing], affinity: { podAffinity, nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, preference: { matchExpressions: [] } }] } } } }
    const out = applyOrThrow(input, merged("acorvin"), { user: "acorvin" })
    const outSpec = out["spec"] as JsonObject
    expect(outSpec["tolerations"]).toEqual([existing, { key: "some_node_label", operator: "Equal", value: "label_target_value", effect: "NoSchedule" }])
    const affinity = outSpec["affinity"] as JsonObject
    expect(affinity["podAffinity"]).toEqual(podAffinity)
    expect(affinity["nodeAffinity"]).toMatchObject({
      preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, preference: { matchExpressions: [] } }],
      requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "some_node_label" }] }] }
    })
  })

  it("records what was applied in the applied-profiles annotation", () => {
    const out = applyOrThrow(kubespawnerPod("vpavlin"), merged("vpavlin", "s2i-thoth-notebook:3.6", { size: "Large" }), { user: "vpavlin" })
    const annotations = (out["metadata"] as JsonObject)["annotations"] as Record<string, string>
    expect(JSON.parse(annotations[appliedProfilesAnnotation] ?? "")).toEqual(["globals", "Thoth Notebooks", "size:Large"])
    expect(annotations["hub.jupyter.org/username"]).toBe("vpavlin")
  })

  it("keeps fields it does not model, and is idempotent", () => {
    const pod = { ...kubespawnerPod(), status: { phase: "Pending" }, futureField: { x: [1, 2] } }
    const m = merged("acorvin", "s2i-thoth-notebook:3.6", { size: "Medium" })
    const once = applyOrThrow(pod, m, { user: "acorvin" })
    expect(once["status"]).toEqual({ phase: "Pending" })
    expect(once["futureField"]).toEqual({ x: [1, 2] })
    expect((once["spec"] as JsonObject)["securityContext"]).toEqual({ fsGroup: 100 })
    expect(applyOrThrow(once, m, { user: "acorvin" })).toEqual(once)
  })

  it("a GPU count becomes nvidia.com/gpu, the GPU types' tolerations and the GPU mode's security context", () => {
    const config = configurationFromText(`
profiles: [{ name: gpu-users, users: [alice], gpu: 2 }]
gpuTypes:
  - { type: a100, node_tolerations: [{ key: nvidia.com/gpu, operator: Exists, effect: NoSchedule }] }
  - { type: t4, node_tolerations: [{ key: gpu-type, operator: Equal, value: t4 }] }`)
    const all = applyOrThrow(kubespawnerPod(), resolveOrThrow(config, { user: "alice" }).merged, { user: "alice", gpuMode: "selinux" })
    expect(container(all)["resources"]).toEqual({ requests: { "nvidia.com/gpu": "2" }, limits: { "nvidia.com/gpu": "2" } })
    expect((all["spec"] as JsonObject)["tolerations"]).toHaveLength(2)
    expect(container(all)["securityContext"]).toEqual({ capabilities: { drop: ["ALL"] }, seLinuxOptions: { type: "nvidia_container_t" } })
    const t4 = applyOrThrow(kubespawnerPod(), resolveOrThrow(config, { user: "alice", gpuType: "t4" }).merged, { user: "alice", gpuMode: "privileged" })
    expect((t4["spec"] as JsonObject)["tolerations"]).toEqual([{ key: "gpu-type", operator: "Equal", value: "t4" }])
    expect(container(t4)["securityContext"]).toEqual({ privileged: true })
    const none = applyOrThrow(kubespawnerPod(), resolveOrThrow(config, { user: "bob" }).merged, { user: "bob", gpuMode: "privileged" })
    expect(container(none)["securityContext"]).toBeUndefined()
    expect((none["spec"] as JsonObject)["tolerations"]).toBeUndefined()
  })

  it("mounts volumes: absolute as is, relative under the default mount path, absent at <default>/<name>", () => {
    const config = configurationFromText(`
profiles:
  - name: data
    volumes:
      - { name: Shared_Data, persistentVolumeClaim: { claimName: shared, readOnly: true }, mountPath: /mnt/shared }
      - { name: scratch, persistentVolumeClaim: { claimName: scratch-pvc }, mountPath: work/scratch }
      - { name: home, persistentVolumeClaim: { claimName: home-pvc } }`)
    const out = applyOrThrow(kubespawnerPod(), resolveOrThrow(config, { user: "u" }).merged, { user: "u" })
    const volumes = (out["spec"] as JsonObject)["volumes"] as ReadonlyArray<JsonObject>
    expect(volumes.map((v) => v["name"])).toEqual([expect.stringMatching(/^shared-data---[0-9a-f]{8}$/u), "scratch", "home"])
    expect(container(out)["volumeMounts"]).toEqual([
      { name: volumes[0]?.["name"], mountPath: "/mnt/shared", readOnly: true },
      { name: "scratch", mountPath: "/opt/app-root/src/work/scratch" },
      { name: "home", mountPath: "/opt/app-root/src/home" }
    ])
    const custom = applyOrThrow(kubespawnerPod(), resolveOrThrow(config, { user: "u" }).merged, { user: "u", defaultMountPath: "/home/jovyan/" })
    expect((container(custom)["volumeMounts"] as ReadonlyArray<JsonObject>)[2]).toEqual({ name: "home", mountPath: "/home/jovyan/home" })
  })

  it.each([
    [null, "pod: expected a Pod object"],
    [{ kind: "Pod" }, "pod: spec: expected the pod spec"],
    [{ spec: { containers: [] } }, "pod: spec.containers: expected at least one container"],
    [{ spec: { containers: [{ image: "x" }] } }, "pod: spec.containers[0]: expected a container with a name"],
    [{ spec: { containers: [{ name: "n", env: [{ value: "x" }] }] } }, "pod: spec.containers[0].env[0]: expected an object with a string name"],
    [{ spec: { containers: [{ name: "n", resources: { limits: { cpu: "lots" } } }] } }, "pod: spec.containers[0].resources.limits.cpu: expected a Kubernetes quantity, got \"lots\""],
    [{ metadata: { labels: [] }, spec: { containers: [{ name: "n" }] } }, "pod: metadata.labels: expected an object, got []"]
  ])("a bad pod is a clear error: %j", (pod, message) => {
    const result = applyToPod(pod, merged("u"), { user: "u" })
    expect(Result.isFailure(result) && result.failure.message).toBe(message)
  })
})
