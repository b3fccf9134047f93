import { configMaps } from "@jsp/kube-fake"
import type { FakeApiServer } from "@jsp/kube-fake"
import { ConfigSource, loadConfiguration, resolveSpawn, sourceStatus } from "@jsp/core"
import { Effect, Exit, Layer, Option, Scope } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { type Cluster, ClusterConfigSource, loadCluster } from "../src/index.ts"
import { configMap, eventually, namespace, startFakeCluster, stopFakeCluster, withLogs } from "./helpers.ts"

let fake: FakeApiServer
let cluster: Cluster
let reports: Array<string>
let scope: Scope.Closeable

beforeEach(async () => {
  ({ fake, cluster, scope } = await startFakeCluster())
  reports = []
})
afterEach(() => stopFakeCluster({ fake, cluster, scope }))

/** Builds the watching source in the test's scope and returns a runner for effects that need it. */
const source = async (watch = true) => {
  const layer = withLogs(ClusterConfigSource(cluster, { watch, restartBackoff: { initialMs: 50, maxMs: 200 } }), reports)
  const context = await Effect.runPromise(Layer.buildWithScope(layer, scope))
  return <A, E>(effect: Effect.Effect<A, E, ConfigSource>) => Effect.runPromise(Effect.provide(effect, context))
}

const profileNames = Effect.map(loadConfiguration(), ({ configuration }) => configuration.profiles.map((p) => p.name))

describe("ConfigSource from a cluster (SPEC 1, Cluster)", () => {
  it("reads the named ConfigMap, then the labelled ones in name order; ignores the rest", async () => {
    fake.put(configMaps, namespace, configMap("zz-team", "profiles: [{ name: z }]", true))
    fake.put(configMaps, namespace, configMap("aa-team", "profiles: [{ name: a }]", true))
    fake.put(configMaps, namespace, configMap("jupyter-singleuser-profiles", "profiles: [{ name: main }]"))
    fake.put(configMaps, namespace, configMap("unlabelled", "profiles: [{ name: never }]"))
    fake.put(configMaps, namespace, configMap("no-key", "x", true, "other"))
    fake.put(configMaps, "elsewhere", configMap("jupyter-singleuser-profiles", "profiles: [{ name: other-namespace }]"))
    const run = await source()
    expect(await run(profileNames)).toEqual(["main", "a", "z"])
    expect(reports).toContain("odh: ConfigMap no-key has no key jupyterhub-singleuser-profiles.yaml; skipped")
  })

  it("picks up an edit within a second of the watch event, and drops a deleted ConfigMap", async () => {
    fake.put(configMaps, namespace, configMap("jupyter-singleuser-profiles", "profiles: [{ name: before }]"))
    const run = await source()
    expect(await run(profileNames)).toEqual(["before"])
    const edited = Date.now()
    fake.put(configMaps, namespace, configMap("jupyter-singleuser-profiles", "profiles: [{ name: after }]"))
    await eventually(async () => (await run(profileNames))[0] === "after", 1_000)
    expect(Date.now() - edited).toBeLessThan(1_000)
    fake.put(configMaps, namespace, configMap("team", "profiles: [{ name: team }]", true))
    await eventually(async () => (await run(profileNames)).length === 2)
    fake.remove(configMaps, namespace, "team")
    await eventually(async () => (await run(profileNames)).length === 1)
  })

  it("keeps the last good version when a ConfigMap is edited to invalid YAML, and reports it", async () => {
    fake.put(configMaps, namespace, configMap("jupyter-singleuser-profiles", "profiles: [{ name: good }]"))
    const run = await source()
    fake.put(configMaps, namespace, configMap("jupyter-singleuser-profiles", "profiles: [{ name: bad\n  oops: ["))
    await eventually(() => reports.some((r) => r.includes("rejected")))
    expect(await run(profileNames)).toEqual(["good"])
    const warnings = await run(Effect.map(loadConfiguration(), (l) => l.warnings))
    expect(warnings.some((w) => /ConfigMap jupyter-singleuser-profiles version \d+ is invalid; version \d+ stays in force/u.test(w.message))).toBe(true)
    const status = await run(sourceStatus())
    expect(status.documents[0]?.rejected?.[0]?.message).toMatch(/line \d+, column \d+/u)
    expect(status.documents[0]?.inForce).toMatch(/^\d+$/u)
    fake.put(configMaps, namespace, configMap("jupyter-singleuser-profiles", "profiles: [{ name: fixed }]"))
    await eventually(async () => (await run(profileNames))[0] === "fixed")
    expect(reports.some((r) => r.includes("valid again"))).toBe(true)
  })

  it("a field error also keeps the last good version; a ConfigMap never valid is skipped", async () => {
    fake.put(configMaps, namespace, configMap("jupyter-singleuser-profiles", "profiles: [{ name: good }]"))
    fake.put(configMaps, namespace, configMap("broken-team", "profiles: [{ name: t, gpu: -1 }]", true))
    const run = await source()
    expect(await run(profileNames)).toEqual(["good"])
    fake.put(configMaps, namespace, configMap("jupyter-singleuser-profiles", "profiles: [{ name: good, resources: { limits: { memory: lots } } }]"))
    await eventually(() => reports.filter((r) => r.includes("rejected")).length >= 2)
    expect(await run(profileNames)).toEqual(["good"])
  })

  it("recovers from dropped watches and from 410 Gone, without losing changes", async () => {
    fake.put(configMaps, namespace, configMap("jupyter-singleuser-profiles", "profiles: [{ name: one }]"))
    const run = await source()
    fake.dropWatches()
    fake.put(configMaps, namespace, configMap("jupyter-singleuser-profiles", "profiles: [{ name: two }]"))
    await eventually(async () => (await run(profileNames))[0] === "two")
    fake.expireWatches()
    fake.put(configMaps, namespace, configMap("jupyter-singleuser-profiles", "profiles: [{ name: three }]"))
    await eventually(async () => (await run(profileNames))[0] === "three")
    expect(fake.count("list")).toBeGreaterThanOrEqual(2)
  })

  it("restarts a watch that fails with 500, with backoff, keeping the configuration in force", async () => {
    fake.put(configMaps, namespace, configMap("jupyter-singleuser-profiles", "profiles: [{ name: one }]"))
    const run = await source()
    fake.failNext({ status: 500, count: 2, verb: "watch" })
    fake.dropWatches()
    await eventually(() => reports.some((r) => r.includes("trying again in")))
    expect(await run(profileNames)).toEqual(["one"])
    fake.put(configMaps, namespace, configMap("jupyter-singleuser-profiles", "profiles: [{ name: two }]"))
    await eventually(async () => (await run(profileNames))[0] === "two")
    const status = await run(sourceStatus())
    expect(status.restarts).toBeGreaterThan(0)
  })

  it("stopping during a restart leaves no watch running", async () => {
    fake.put(configMaps, namespace, configMap("jupyter-singleuser-profiles", "profiles: [{ name: one }]"))
    await source()
    fake.failNext({ status: 500, count: 1, verb: "watch" })
    fake.dropWatches()
    await eventually(() => reports.some((r) => r.includes("trying again in")))
    fake.latencyMs = 300
    await new Promise((r) => setTimeout(r, 120))
    await Effect.runPromise(Scope.close(scope, Exit.void))
    scope = await Effect.runPromise(Scope.make())
    await new Promise((r) => setTimeout(r, 600))
    expect(fake.store.watchers.size).toBe(0)
    expect(reports.some((r) => r.includes("watching ConfigMaps again"))).toBe(false)
  })

  it("stopping while the client reconnects by itself leaves no watch running either", async () => {
    fake.put(configMaps, namespace, configMap("jupyter-singleuser-profiles", "profiles: [{ name: one }]"))
    const run = await source()
    fake.latencyMs = 300
    fake.dropWatches()
    await new Promise((r) => setTimeout(r, 50))
    await Effect.runPromise(Scope.close(scope, Exit.void))
    scope = await Effect.runPromise(Scope.make())
    fake.latencyMs = 0
    fake.put(configMaps, namespace, configMap("jupyter-singleuser-profiles", "profiles: [{ name: after-stop }]"))
    await eventually(() => fake.store.watchers.size === 0, 4_000)
    expect(await run(profileNames)).toEqual(["one"])
  })

  it("a 403 on the watch names the watch, not the list", async () => {
    fake.forbid("watch", "configmaps")
    await expect(source()).rejects.toThrow(/forbidden \(403\): the account needs RBAC permission to "watch" "configmaps"/u)
  })

  it("makes no API call per spawn once synced", async () => {
    fake.put(configMaps, namespace, configMap("jupyter-singleuser-profiles", "profiles: [{ name: p, users: [alice] }]\nsizes: [{ name: S, resources: { limits: { cpu: '1' } } }]"))
    fake.put(configMaps, namespace, configMap("jupyterhub-singleuser-profile-alice", "last_selected_size: S", false, "profile"))
    const run = await source()
    const before = fake.count()
    for (let i = 0; i < 200; i++) {
      const resolved = await run(resolveSpawn({ user: "alice", groups: [], image: "img:1" }))
      expect(resolved.merged.applied).toEqual(["p", "@singleuser@", "size:S"])
    }
    expect(fake.count() - before).toBe(0)
  })

  it("finds users' settings in the cache", async () => {
    fake.put(configMaps, namespace, configMap("jupyterhub-singleuser-profile-alice", "gpu: 1", false, "profile"))
    const run = await source()
    const settings = await run(ConfigSource.use((s) => s.userSettings("alice")))
    expect(Option.map(settings, (d) => d.content)).toEqual(Option.some({ gpu: 1 }))
    expect(Option.isNone(await run(ConfigSource.use((s) => s.userSettings("bob"))))).toBe(true)
  })

  it("reads once without watching, for one-shot commands", async () => {
    fake.put(configMaps, namespace, configMap("jupyter-singleuser-profiles", "profiles: [{ name: main }]"))
    const run = await source(false)
    expect(await run(profileNames)).toEqual(["main"])
    expect(fake.count("watch")).toBe(0)
    expect(fake.count("list")).toBe(1)
  })

  it("403 on list is a clear error naming the missing RBAC permission", async () => {
    fake.forbid("list", "configmaps")
    await expect(source()).rejects.toThrow(/forbidden \(403\): the account needs RBAC permission to "list" "configmaps" in namespace "odh"/u)
  })

  it("wrong credentials and unreachable servers are clear errors", async () => {
    const wrong = loadCluster({ server: fake.url, token: "wrong", namespace })
    if (wrong._tag === "Failure") throw wrong.failure
    cluster = wrong.success
    await expect(source(false)).rejects.toThrow(/rejected the credentials \(401 Unauthorized\)/u)
    const nowhere = loadCluster({ server: "http://127.0.0.1:9", token: "t", namespace })
    if (nowhere._tag === "Failure") throw nowhere.failure
    cluster = nowhere.success
    await expect(source(false)).rejects.toThrow(/cannot reach the API server/u)
  })

  it("retries reads on 429 and 5xx", async () => {
    fake.put(configMaps, namespace, configMap("jupyter-singleuser-profiles", "profiles: [{ name: main }]"))
    fake.failNext({ status: 429, count: 1, verb: "list" })
    fake.failNext({ status: 503, count: 1, verb: "list" })
    const run = await source(false)
    expect(await run(profileNames)).toEqual(["main"])
    expect(fake.count("list")).toBe(3)
  })

  it("times out a server that does not answer", async () => {
    const impatient = loadCluster({ server: fake.url, token: "sekret", namespace, requestTimeoutSeconds: 0.2 })
    if (impatient._tag === "Failure") throw impatient.failure
    cluster = impatient.success
    fake.latencyMs = 1_000
    await expect(source(false)).rejects.toThrow(/did not answer in time \(each try may take 0.2 s, all tries together 0.4 s\); 2 tries in/u)
    await expect(source(true)).rejects.toThrow(/did not answer in time \(each try may take 0.2 s, all tries together 0.4 s\); \d tries in/u)
  })
})
