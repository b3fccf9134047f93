import { Result } from "effect"
import { describe, expect, it } from "vitest"
import { appliedProfilesAnnotation, type MergedProfile, userLabel } from "../src/index.ts"
import {
  applyRaw,
  applyOrThrow,
  at,
  configurationFromText,
  containerOf,
  envNames,
  envValue,
  kubespawnerPod,
  resolveOrThrow,
  seed,
  withNotebook,
  withSpec
} from "./helpers.ts"

const merged = (user: string, image = "s2i-minimal-notebook:3.6", extra: Record<string, unknown> = {}): MergedProfile =>
  resolveOrThrow(seed, { user, image, ...extra }).merged

describe("the pod transform (SPEC 5)", () => {
  it("labels the pod with the user, escaped to a valid label value", () => {
    const out = applyOrThrow(kubespawnerPod("vpavlin"), merged("vpavlin"), { user: "vpavlin" })
    expect(at(out, "metadata", "labels")).toMatchObject({ [userLabel]: "vpavlin", app: "jupyterhub" })
    const weird = "Ada Lovelace <ada@example.com>"
    const label = at(applyOrThrow(kubespawnerPod("x"), merged(weird), { user: weird }), "metadata", "labels", userLabel)
    expect(label).toMatch(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/u)
  })

  it("merges profile env into the notebook container by name and sets JUPYTERHUB_USER_NAME everywhere", () => {
    const pod = kubespawnerPod("vpavlin")
    const withSidecar = withSpec(pod, { containers: [containerOf(pod, 0), { name: "sidecar", image: "busybox" }] })
    const out = applyOrThrow(withSidecar, merged("vpavlin", "s2i-thoth-notebook:3.6"), { user: "vpavlin" })
    expect(envNames(out)).toEqual([
      "JUPYTERHUB_API_TOKEN", "THIS_IS_GLOBAL", "MYAPP_SECRET_TOKEN", "MY_CONFIGMAP_VALUE", "THOTH_DEPLOYMENT_NAME",
      "THOTH_CEPH_BUCKET", "THOTH_CEPH_BUCKET_PREFIX", "THOTH_JANUSGRAPH_PORT", "JUPYTERHUB_USER_NAME", "MEM_LIMIT"
    ])
    expect(envValue(out, "MEM_LIMIT")).toBe("2147483648")
    expect(envNames(out, 1)).toEqual(["JUPYTERHUB_USER_NAME"])
    expect(envValue(out, "JUPYTERHUB_USER_NAME", 1)).toBe("vpavlin")
  })

  it("replaces the spawner's value of a profile's env name in place", () => {
    const pod = withNotebook(kubespawnerPod(), { env: [{ name: "THOTH_CEPH_BUCKET", value: "spawner" }, { name: "OTHER", value: "x" }] })
    const out = applyOrThrow(pod, merged("vpavlin", "s2i-thoth-notebook:3.6"), { user: "vpavlin" })
    expect(envNames(out).slice(0, 2)).toEqual(["THOTH_CEPH_BUCKET", "OTHER"])
    expect(envValue(out, "THOTH_CEPH_BUCKET")).toBe("DH-DEV-DATA")
  })

  it("finds the notebook container by name, else uses the first", () => {
    const pod = kubespawnerPod("vpavlin")
    const reordered = withSpec(pod, { containers: [{ name: "proxy", image: "p" }, containerOf(pod, 0)] })
    const out = applyOrThrow(reordered, merged("vpavlin"), { user: "vpavlin" })
    expect(envValue(out, "THIS_IS_GLOBAL", 1)).toBeDefined()
    expect(envValue(out, "THIS_IS_GLOBAL", 0)).toBeUndefined()
    const unnamed = withSpec(pod, { containers: [{ name: "main", image: "m" }, { name: "proxy", image: "p" }] })
    expect(envValue(applyOrThrow(unnamed, merged("vpavlin"), { user: "vpavlin" }), "THIS_IS_GLOBAL", 0)).toBeDefined()
  })

  it.each([["1.5Gi", "1610612736"], ["2G", "2000000000"], ["500M", "500000000"], ["1e9", "1000000000"], ["1000Ki", "1024000"], ["1500m", "2"]])(
    "MEM_LIMIT is exact for a %s limit", (limit, expected) => {
      const config = configurationFromText(`profiles: [{ name: p, resources: { limits: { memory: "${limit}" } } }]`)
      const out = applyOrThrow(kubespawnerPod(), resolveOrThrow(config, { user: "u" }).merged, { user: "u" })
      expect(envValue(out, "MEM_LIMIT")).toBe(expected)
    })

  it("without a memory limit there is no MEM_LIMIT, and a pod without resources gets none", () => {
    const config = configurationFromText("profiles: [{ name: p, env: [{ name: A, value: b }] }]")
    const pod = withSpec(kubespawnerPod(), { containers: [{ name: "notebook", image: "i" }] })
    const out = applyOrThrow(pod, resolveOrThrow(config, { user: "u" }).merged, { user: "u" })
    expect(envNames(out)).toEqual(["A", "JUPYTERHUB_USER_NAME"])
    expect(at(out, "spec", "containers", 0, "resources")).toBeUndefined()
  })

  it("merges resources into the container's: quantities the profile does not name are kept", () => {
    const pod = withNotebook(kubespawnerPod(), { resources: { limits: { "nvidia.com/gpu": "1", cpu: "8" }, requests: { cpu: "100m" } } })
    const out = applyOrThrow(pod, merged("alice"), { user: "alice" })
    expect(at(out, "spec", "containers", 0, "resources")).toEqual({
      limits: { "nvidia.com/gpu": "1", cpu: "500m", memory: "1Gi" },
      requests: { cpu: "250m", memory: "500Mi" }
    })
  })

  it("a request above its limit is an error naming both values and where each came from", () => {
    const config = configurationFromText(`
profiles: [{ name: storage, resources: { limits: { ephemeral-storage: 1Gi } } }]
sizes: [{ name: Tiny, resources: { limits: { cpu: "1" } } }, { name: Odd, resources: { requests: { memory: 3Gi }, limits: { cpu: "1" } } }]`)
    const demanding = withNotebook(kubespawnerPod(), { resources: { requests: { "ephemeral-storage": "2Gi" } } })
    const result = applyRaw(demanding, resolveOrThrow(config, { user: "u" }).merged, { user: "u" })
    expect(Result.isFailure(result) && result.failure.message).toBe(
      "container \"notebook\": ephemeral-storage request 2Gi (from the pod) is above its limit 1Gi (from storage)")
    const cpuPod = withNotebook(kubespawnerPod(), { resources: { requests: { cpu: "2" }, limits: { memory: "1Gi" } } })
    // The size sets both request and limit, so the pod's own request is replaced and nothing is above.
    expect(Result.isSuccess(applyRaw(cpuPod, resolveOrThrow(config, { user: "u", size: "Tiny" }).merged, { user: "u" }))).toBe(true)
    const odd = applyRaw(cpuPod, resolveOrThrow(config, { user: "u", size: "Odd" }).merged, { user: "u" })
    expect(Result.isFailure(odd) && odd.failure.message).toBe(
      "container \"notebook\": cpu request 2 (from the pod) is above its limit 1 (from size:Odd)")
  })

  it("appends tolerations and merges node affinity; other affinity kinds are untouched", () => {
    const podAffinity = { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: "zone", labelSelector: {} }] }
    const existing = { key: "dedicated", operator: "Exists" }
    const input = withSpec(kubespawnerPod("acorvin"), {
      tolerations: [existing],
      affinity: { podAffinity, nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, preference: { matchExpressions: [] } }] } }
    })
    const out = applyOrThrow(input, merged("acorvin"), { user: "acorvin" })
    expect(at(out, "spec", "tolerations")).toEqual([existing, { key: "some_node_label", operator: "Equal", value: "label_target_value", effect: "NoSchedule" }])
    expect(at(out, "spec", "affinity", "podAffinity")).toEqual(podAffinity)
    expect(at(out, "spec", "affinity", "nodeAffinity")).toMatchObject({
      preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, preference: { matchExpressions: [] } }],
      requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "some_node_label" }] }] }
    })
  })

  it("records what was applied in the applied-profiles annotation", () => {
    const out = applyOrThrow(kubespawnerPod("vpavlin"), merged("vpavlin", "s2i-thoth-notebook:3.6", { size: "Large" }), { user: "vpavlin" })
    expect(JSON.parse(String(at(out, "metadata", "annotations", appliedProfilesAnnotation)))).toEqual(["globals", "Thoth Notebooks", "size:Large"])
    expect(at(out, "metadata", "annotations", "hub.jupyter.org/username")).toBe("vpavlin")
  })

  it("keeps fields it does not model, and is idempotent", () => {
    const pod = { ...kubespawnerPod(), status: { phase: "Pending" }, futureField: { x: [1, 2] } }
    const m = merged("acorvin", "s2i-thoth-notebook:3.6", { size: "Medium" })
    const once = applyOrThrow(pod, m, { user: "acorvin" })
    expect(once["status"]).toEqual({ phase: "Pending" })
    expect(once["futureField"]).toEqual({ x: [1, 2] })
    expect(at(once, "spec", "securityContext")).toEqual({ fsGroup: 100 })
    expect(at(once, "spec", "containers", 0, "ports")).toEqual([{ containerPort: 8888, name: "notebook-port" }])
    expect(applyOrThrow(once, m, { user: "acorvin" })).toEqual(once)
  })

  it("a GPU count becomes nvidia.com/gpu, the GPU types' tolerations and the GPU mode's security context", () => {
    const config = configurationFromText(`
profiles: [{ name: gpu-users, users: [alice], gpu: 2 }]
gpuTypes:
  - { type: a100, node_tolerations: [{ key: nvidia.com/gpu, operator: Exists, effect: NoSchedule }] }
  - { type: t4, node_tolerations: [{ key: gpu-type, operator: Equal, value: t4 }] }`)
    const all = applyOrThrow(kubespawnerPod(), resolveOrThrow(config, { user: "alice" }).merged, { user: "alice", gpuMode: "selinux" })
    expect(at(all, "spec", "containers", 0, "resources")).toEqual({ requests: { "nvidia.com/gpu": "2" }, limits: { "nvidia.com/gpu": "2" } })
    expect(at(all, "spec", "tolerations")).toHaveLength(2)
    expect(at(all, "spec", "containers", 0, "securityContext")).toEqual({ capabilities: { drop: ["ALL"] }, seLinuxOptions: { type: "nvidia_container_t" } })
    const hardened = withNotebook(kubespawnerPod(), { securityContext: { runAsNonRoot: true, capabilities: { drop: ["NET_RAW"], add: ["CHOWN"] } } })
    expect(at(applyOrThrow(hardened, resolveOrThrow(config, { user: "alice" }).merged, { user: "alice", gpuMode: "selinux" }), "spec", "containers", 0, "securityContext")).toEqual({
      runAsNonRoot: true, capabilities: { drop: ["NET_RAW", "ALL"], add: ["CHOWN"] }, seLinuxOptions: { type: "nvidia_container_t" }
    })
    const t4 = applyOrThrow(kubespawnerPod(), resolveOrThrow(config, { user: "alice", gpuType: "t4" }).merged, { user: "alice", gpuMode: "privileged" })
    expect(at(t4, "spec", "tolerations")).toEqual([{ key: "gpu-type", operator: "Equal", value: "t4" }])
    expect(at(t4, "spec", "containers", 0, "securityContext")).toEqual({ privileged: true })
    expect(resolveOrThrow(config, { user: "alice", gpuType: "h100" }).warnings).toEqual([{
      source: "request",
      path: "gpuType",
      message: "unknown GPU type \"h100\" (known GPU types: a100, t4); no GPU tolerations added"
    }])
    const none = applyOrThrow(kubespawnerPod(), resolveOrThrow(config, { user: "bob" }).merged, { user: "bob", gpuMode: "privileged" })
    expect(at(none, "spec", "containers", 0, "securityContext")).toBeUndefined()
    expect(at(none, "spec", "tolerations")).toBeUndefined()
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
    const sharedName = at(out, "spec", "volumes", 0, "name")
    expect(sharedName).toMatch(/^shared-data---[0-9a-f]{8}$/u)
    expect(at(out, "spec", "volumes")).toEqual([
      { name: sharedName, persistentVolumeClaim: { claimName: "shared", readOnly: true } },
      { name: "scratch", persistentVolumeClaim: { claimName: "scratch-pvc" } },
      { name: "home", persistentVolumeClaim: { claimName: "home-pvc" } }
    ])
    expect(at(out, "spec", "containers", 0, "volumeMounts")).toEqual([
      { name: sharedName, mountPath: "/mnt/shared", readOnly: true },
      { name: "scratch", mountPath: "/opt/app-root/src/work/scratch" },
      { name: "home", mountPath: "/opt/app-root/src/home" }
    ])
    const custom = applyOrThrow(kubespawnerPod(), resolveOrThrow(config, { user: "u" }).merged, { user: "u", defaultMountPath: "/home/jovyan/" })
    expect(at(custom, "spec", "containers", 0, "volumeMounts", 2)).toEqual({ name: "home", mountPath: "/home/jovyan/home" })
  })

  it.each([
    [null, "pod: expected a Pod object"],
    [{ kind: "Pod" }, "pod: spec.containers: missing: a Pod has containers"],
    [{ kind: "Deployment", metadata: { name: "web" }, spec: { template: {} } }, "pod: kind: expected a Pod, got a Deployment \"web\""],
    [{ kind: 7, spec: { containers: [{ name: "n" }] } }, "pod: kind: expected a Pod, got 7"],
    [{ spec: { containers: [] } }, "pod: spec.containers: expected at least one container"],
    [{ spec: { containers: [{ image: "x" }] } }, "pod: spec.containers[0]: expected a container with a name"],
    [{ spec: { containers: [{ name: "n", env: [{ value: "x" }] }] } }, "pod: spec.containers[0].env[0]: expected an object with a string name"],
    [{ spec: { containers: [{ name: "n", resources: { limits: { cpu: "lots" } } }] } }, "pod: spec.containers[0].resources.limits.cpu: expected a Kubernetes quantity, got \"lots\""],
    [{ metadata: { labels: [] }, spec: { containers: [{ name: "n" }] } }, "pod: metadata.labels: expected an object, got []"],
    [{ spec: { containers: [{ name: "n" }], tolerations: "all" } }, "pod: spec.tolerations: expected an array, got \"all\""]
  ])("a bad pod is a clear error: %j", (pod, message) => {
    const result = applyRaw(pod, merged("acorvin"), { user: "u" })
    expect(Result.isFailure(result) && result.failure.message).toBe(message)
  })
})

describe("volumes the pod already has (SPEC 6)", () => {
  const config = configurationFromText(`
profiles:
  - name: shared-home
    volumes: [{ name: home, persistentVolumeClaim: { claimName: team-pvc }, mountPath: /opt/app-root/src }]
`)
  const resolved = resolveOrThrow(config, { user: "u" }).merged

  it("a profile volume named like a different pod volume is refused, naming both", () => {
    const pod = withSpec(kubespawnerPod(), { volumes: [{ name: "home", persistentVolumeClaim: { claimName: "jupyterhub-nb-u-pvc" } }] })
    const result = applyRaw(pod, resolved, { user: "u" })
    expect(Result.isFailure(result) && result.failure.message).toBe(
      "volume \"home\" from shared-home ({\"name\":\"home\",\"persistentVolumeClaim\":{\"claimName\":\"team-pvc\"}}) would replace the pod's own volume of that name " +
      "({\"name\":\"home\",\"persistentVolumeClaim\":{\"claimName\":\"jupyterhub-nb-u-pvc\"}}); rename one of them")
  })

  it("the same definition is no change, so applying twice gives the same pod", () => {
    const once = applyOrThrow(kubespawnerPod(), resolved, { user: "u" })
    expect(applyOrThrow(once, resolved, { user: "u" })).toEqual(once)
  })
})

describe("mount paths stay under the default mount path", () => {
  it("a relative path climbing out with '..' is refused on load; one that stays under it is fine", () => {
    expect(() => configurationFromText("profiles: [{ volumes: [{ name: v, persistentVolumeClaim: { claimName: c }, mountPath: ../../etc }] }]"))
      .toThrow("profiles[0].volumes[0].mountPath: a relative mountPath must stay under the default mount path; \"../../etc\" climbs out of it with '..'")
    const fine = configurationFromText("profiles: [{ volumes: [{ name: v, persistentVolumeClaim: { claimName: c }, mountPath: a/../b }] }]")
    expect(fine.profiles[0]?.profile.volumes?.[0]?.mountPath).toBe("a/../b")
  })
})
