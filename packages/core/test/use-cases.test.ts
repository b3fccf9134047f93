import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import {
  applySpawn,
  explainResolution,
  formatWarning,
  getUserSettings,
  listImages,
  listSizes,
  loadConfiguration,
  loadUserSettings,
  outcomeOf,
  resolveSpawn,
  sourceStatus,
  validateSource,
  writeUserSettings
} from "../src/index.ts"
import { MemoryConfigSource, MemoryImageCatalog, MemoryUserSettingsStore } from "../src/testing/layers.ts"
import { at, envOf, kubespawnerPod } from "./helpers.ts"

const config = `
profiles:
  - name: everyone
    env: [{ name: WHO, value: everyone }]
  - name: thoth
    images: [s2i-thoth-notebook]
    env: [{ name: IMAGE, value: thoth }]
  - name: gpu-team
    groups: [gpu]
    gpu: 1
sizes:
  - { name: Small, resources: { requests: { memory: 1Gi } } }
  - { name: Large, resources: { limits: { memory: 8Gi, cpu: "4" } } }
  - { name: Small, resources: { limits: { memory: 2Gi } } }
gpuTypes:
  - { type: t4, node_tolerations: [{ key: gpu, operator: Equal, value: t4 }] }
ui:
  gpuConfig: { enabled: true, type: input, gpuInput: { limit: 2 } }
`

const source = (userSettings: Record<string, string> = {}, extra: Array<{ source: string; text: string }> = []) =>
  MemoryConfigSource({ documents: [{ source: "main", text: config }, ...extra], userSettings })

const withAnnotations = (annotations: Record<string, string>, image = "s2i-minimal-notebook:3.6") => {
  const pod = kubespawnerPod("alice", image)
  const metadata = pod["metadata"]
  return { ...pod, metadata: { ...(typeof metadata === "object" && metadata !== null && !Array.isArray(metadata) ? metadata : {}), annotations } }
}


describe("applySpawn: one spawn input, completed from the caller, the pod, then the user's settings", () => {
  it.effect("reads user, groups, size and GPU type from the pod's annotations", () => Effect.gen(function*() {
    const pod = withAnnotations({
      "hub.jupyter.org/username": "alice",
      "jsp.opendatahub.io/groups": "gpu, other",
      "jsp.opendatahub.io/size": "Large",
      "jsp.opendatahub.io/gpu-type": "t4"
    })
    const { pod: out, resolution } = yield* applySpawn(pod, {})
    assert.deepStrictEqual(resolution.merged.applied, ["everyone", "gpu-team", "size:Large"])
    assert.deepStrictEqual(resolution.spawn, {
      user: "alice", groups: ["gpu", "other"], image: "s2i-minimal-notebook:3.6", size: { name: "Large", origin: "request" }, gpuType: "t4"
    })
    assert.deepStrictEqual(at(out, "spec", "tolerations"), [{ key: "gpu", operator: "Equal", value: "t4" }])
  }).pipe(Effect.provide(source())))

  it.effect("what the caller says wins over the pod; the user's last size applies when nobody names one", () => Effect.gen(function*() {
    const pod = withAnnotations({ "hub.jupyter.org/username": "alice", "jsp.opendatahub.io/size": "Large" })
    const named = yield* applySpawn(pod, { user: "bob", size: "Small", image: "s2i-thoth-notebook:3.6" })
    assert.deepStrictEqual(named.resolution.merged.applied, ["everyone", "thoth", "@singleuser@", "size:Small"])
    assert.strictEqual(named.resolution.spawn.user, "bob")
    const fromSettings = yield* applySpawn(kubespawnerPod("bob"), {})
    assert.deepStrictEqual(fromSettings.resolution.spawn.size, { name: "Large", origin: "user-settings" })
  }).pipe(Effect.provide(source({ bob: "last_selected_size: Large\nlast_selected_image: s2i-thoth-notebook:3.6" }))))

  it.effect("an unknown size asked for: an error, or (webhook policy) a warning naming the request", () => Effect.gen(function*() {
    const pod = withAnnotations({ "hub.jupyter.org/username": "alice", "jsp.opendatahub.io/size": "Huge" })
    const failure = yield* Effect.flip(applySpawn(pod, {}))
    assert.strictEqual(failure._tag, "UnknownSize")
    assert.deepStrictEqual(outcomeOf(failure), { kind: "input", exitCode: 1, httpStatus: 422 })
    const warned = yield* applySpawn(pod, {}, { unknownSize: "warn" })
    assert.deepStrictEqual(warned.resolution.warnings.map(formatWarning), [
      "request: size: unknown size \"Huge\" (known sizes: Small, Large); spawning without a size"
    ])
  }).pipe(Effect.provide(source())))

  it.effect("without a user, or with something that is not a pod, it fails saying what is missing", () => Effect.gen(function*() {
    const noUser = yield* Effect.flip(applySpawn({ spec: { containers: [{ name: "notebook", image: "i:1" }] } }, {}))
    assert.strictEqual(noUser.message, "no user: name one, or annotate the pod with hub.jupyter.org/username")
    const deployment = yield* Effect.flip(applySpawn({ kind: "Deployment", metadata: { name: "web" } }, { user: "alice" }))
    assert.strictEqual(deployment.message, "pod: kind: expected a Pod, got a Deployment \"web\"")
  }).pipe(Effect.provide(source())))

  it.effect("a pod without a container named notebook uses the first, and says so", () => Effect.gen(function*() {
    const pod = { metadata: { annotations: { "hub.jupyter.org/username": "alice" } }, spec: { containers: [{ name: "sidecar", image: "proxy:1" }, { name: "jupyter", image: "nb:1" }] } }
    const { resolution } = yield* applySpawn(pod, {})
    assert.deepStrictEqual(resolution.warnings, [{ source: "pod", path: "spec.containers[0]", message: "no container is named \"notebook\"; the first, \"sidecar\", gets the profile" }])
    assert.strictEqual(resolution.spawn.image, "proxy:1")
  }).pipe(Effect.provide(source())))

  it.effect("services run between resolving and applying; what they return is env that explain names service:<name>", () => Effect.gen(function*() {
    const seen: Array<ReadonlyArray<string>> = []
    const { pod, resolution } = yield* applySpawn(kubespawnerPod("alice"), {}, {}, (resolved) => Effect.sync(() => {
      seen.push(resolved.merged.applied)
      return { returns: [{ service: "spark", env: [{ name: "SPARK_CLUSTER", value: "spark-cluster-alice" }, { name: "WHO", value: "the service" }] }], warnings: [] }
    }))
    assert.deepStrictEqual(seen, [["everyone"]])
    assert.deepStrictEqual(resolution.merged.applied, ["everyone"])
    assert.deepInclude(envOf(pod), { name: "SPARK_CLUSTER", value: "spark-cluster-alice" })
    const lines = explainResolution(resolution)
    assert.deepInclude(lines, { field: "env SPARK_CLUSTER", value: "spark-cluster-alice", display: "\"spark-cluster-alice\"", from: "service:spark" })
    assert.deepInclude(lines, { field: "env WHO", value: "the service", display: "\"the service\"", from: "service:spark" })
  }).pipe(Effect.provide(source())))
})

describe("resolveSpawn", () => {
  it.effect("takes the user's last image; without one, it says what is missing", () => Effect.gen(function*() {
    const resolution = yield* resolveSpawn({ user: "bob" })
    assert.strictEqual(resolution.spawn.image, "s2i-thoth-notebook:3.6")
    const missing = yield* Effect.flip(resolveSpawn({ user: "carol" }))
    assert.strictEqual(missing._tag, "MissingInput")
    const noUser = yield* Effect.flip(resolveSpawn({ image: "i:1" }))
    assert.strictEqual(noUser.message, "no user: name one (--user)")
  }).pipe(Effect.provide(source({ bob: "last_selected_image: s2i-thoth-notebook:3.6" }))))

  it.effect("a broken settings document only warns, naming it", () => Effect.gen(function*() {
    const resolution = yield* resolveSpawn({ user: "bob", image: "i:1" })
    assert.deepStrictEqual(resolution.merged.applied, ["everyone"])
    assert.match(formatWarning(resolution.warnings[0] ?? { source: "", message: "" }), /^memory: ConfigMap jupyterhub-singleuser-profile-bob key profile: line 1, column \d+: .*\(user settings ignored\)$/u)
  }).pipe(Effect.provide(source({ bob: "env: [" }))))
})

describe("caches belong to the configuration", () => {
  it.effect("each combination of profiles is merged once, each settings document read once", () => Effect.gen(function*() {
    const { configuration } = yield* loadConfiguration()
    yield* resolveSpawn({ user: "bob", image: "i:1" })
    yield* resolveSpawn({ user: "bob", image: "i:1" })
    yield* resolveSpawn({ user: "bob", image: "s2i-thoth-notebook:1" })
    assert.strictEqual(configuration.caches.merges?.size, 2)
    const first = yield* loadUserSettings("bob", configuration)
    const second = yield* loadUserSettings("bob", configuration)
    assert.strictEqual(first, second)
    assert.deepStrictEqual(first.value?.env, [{ name: "MINE", value: "1" }])
  }).pipe(Effect.provide(source({ bob: "env: { MINE: 1 }" }))))
})

describe("catalog use cases", () => {
  const stream = (name: string, tags: ReadonlyArray<string>) => ({
    metadata: { name, labels: { "opendatahub.io/notebook-image": "true" } },
    spec: { tags: tags.map((tag) => ({ name: tag })) },
    status: { tags: tags.map((tag) => ({ tag })) }
  })

  it.effect("images: every tag, the user's last choice marked", () => Effect.gen(function*() {
    const { images } = yield* listImages("bob")
    assert.deepStrictEqual(images.map((i) => [i.name, i.selected]), [["s2i-minimal-notebook:3.6", false], ["s2i-thoth-notebook:3.6", true]])
    const anonymous = yield* listImages()
    assert.isFalse(anonymous.images.some((i) => i.selected))
  }).pipe(Effect.provide(Layer.merge(source({ bob: "last_selected_image: s2i-thoth-notebook:3.6" }), MemoryImageCatalog([
    stream("s2i-thoth-notebook", ["3.6"]), stream("s2i-minimal-notebook", ["3.6"])
  ])))))

  it.effect("images: an unreachable catalog is a typed failure", () => Effect.gen(function*() {
    const failure = yield* Effect.flip(listImages())
    assert.strictEqual(failure._tag, "SourceUnavailable")
    assert.deepStrictEqual(outcomeOf(failure), { kind: "unavailable", exitCode: 3, httpStatus: 502 })
  }).pipe(Effect.provide(Layer.merge(source(), MemoryImageCatalog(undefined)))))

  it.effect("sizes: normalised, a name defined twice listed once as its last definition", () => Effect.gen(function*() {
    const { sizes } = yield* listSizes()
    assert.deepStrictEqual(sizes, [
      { name: "Small", resources: { requests: { memory: "2Gi" }, limits: { memory: "2Gi" } } },
      { name: "Large", resources: { requests: { memory: "8Gi", cpu: "4" }, limits: { memory: "8Gi", cpu: "4" } } }
    ])
  }).pipe(Effect.provide(source())))
})

describe("users' settings use cases", () => {
  it.effect("a write is validated against the configuration, stored, and read back with what a spawn would ignore", () => {
    const store = MemoryUserSettingsStore({ mallory: { resources: { limits: { cpu: "64" } } } })
    return Effect.gen(function*() {
      const written = yield* writeUserSettings("alice", { last_selected_size: "Large", gpu: 2, env: [{ name: "TOKEN", value: "s3cret", type: "password" }] })
      assert.deepStrictEqual(written, {
        last_selected_size: "Large", gpu: 2,
        env: [{ name: "TOKEN", valueFrom: { secretKeyRef: { name: "jupyterhub-singleuser-profile-alice-envs", key: "TOKEN" } } }]
      })
      assert.deepStrictEqual(store.secrets.get("alice"), { TOKEN: "s3cret" })
      const rejected = yield* Effect.flip(writeUserSettings("alice", { gpu: 3, last_selected_size: "Huge", resources: {} }))
      assert.deepStrictEqual(rejected._tag === "InvalidDocument" && rejected.problems.map((p) => p.path), ["resources"])
      const tooMany = yield* Effect.flip(writeUserSettings("alice", { gpu: 3, last_selected_size: "Huge" }))
      assert.deepStrictEqual(tooMany._tag === "InvalidDocument" && tooMany.problems.map((p) => p.path), ["last_selected_size", "gpu"])
      const mallory = yield* getUserSettings("mallory")
      assert.isTrue(Option.isSome(mallory))
      assert.deepStrictEqual(Option.getOrThrow(mallory).warnings.map(formatWarning), [
        "memory: settings of mallory: resources: users may only set env, last_selected_image, last_selected_size, gpu; ignored"
      ])
      assert.isTrue(Option.isNone(yield* getUserSettings("nobody")))
    }).pipe(Effect.provide(Layer.merge(source(), store.layer)))
  })
})

describe("validateSource", () => {
  it.effect("every problem of every document, rules across documents, and users' settings as warnings", () => Effect.gen(function*() {
    const report = yield* validateSource()
    assert.deepStrictEqual([report.documents, report.profiles, report.sizes], [2, 3, 4])
    assert.deepStrictEqual(report.errors.map((e) => e.message), [
      "bad: profiles[0].gpu: expected a value greater than or equal to 0, got -1",
      "team: size \"Upside\" resources.requests.cpu: request 4 is above the limit 2"
    ])
    assert.deepStrictEqual(report.warnings.map(formatWarning), [
      "main: size \"Small\" is defined more than once; the last one wins",
      "memory: ConfigMap jupyterhub-singleuser-profile-mallory key profile: volumes: users may only set env, last_selected_image, last_selected_size, gpu; ignored"
    ])
  }).pipe(Effect.provide(source({ mallory: "volumes: []" }, [
    { source: "bad", text: "profiles: [{ name: b, gpu: -1 }]" },
    { source: "team", text: "sizes: [{ name: Upside, resources: { requests: { cpu: '4' }, limits: { cpu: '2' } } }]" }
  ]))))

  it.effect("a source with no configuration at all fails validation and warns every spawn", () => Effect.gen(function*() {
    const report = yield* validateSource()
    assert.deepStrictEqual(report.errors.map((e) => e.message), ["empty: no configuration found"])
    const resolution = yield* resolveSpawn({ user: "alice", image: "i:1" })
    assert.match(formatWarning(resolution.warnings[0] ?? { source: "", message: "" }), /^empty: no configuration found/u)
    const status = yield* sourceStatus()
    assert.isTrue(status.synced)
  }).pipe(Effect.provide(MemoryConfigSource({ documents: [], where: "empty" }))))

  it.effect("an invalid configuration fails every spawn with the configuration's outcome", () => Effect.gen(function*() {
    const failure = yield* Effect.flip(resolveSpawn({ user: "alice", image: "i:1" }))
    assert.strictEqual(failure._tag, "InvalidConfiguration")
    assert.deepStrictEqual(outcomeOf(failure), { kind: "configuration", exitCode: 1, httpStatus: 500 })
    const status = yield* sourceStatus()
    assert.strictEqual(status.documents[0]?.rejected?.[0]?.problems[0]?.path, "profiles[0].gpu")
  }).pipe(Effect.provide(MemoryConfigSource({ documents: [{ source: "bad", text: "profiles: [{ gpu: -1 }]" }] }))))
})

describe("outcomeOf", () => {
  it("maps each unavailability to an HTTP status, all to exit code 3", async () => {
    const { SourceUnavailable } = await import("../src/index.ts")
    const statuses = (["unreachable", "unauthorized", "forbidden", "not-found", "conflict", "invalid", "timeout", "server-error"] as const)
      .map((reason) => outcomeOf(new SourceUnavailable({ source: "s", reason, detail: "d" })))
    assert.deepStrictEqual(statuses.map((o) => o.httpStatus), [502, 502, 502, 404, 409, 422, 504, 502])
    assert.isTrue(statuses.every((o) => o.exitCode === 3 && o.kind === "unavailable"))
  })
})
