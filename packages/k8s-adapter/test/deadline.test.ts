import { spawn } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { configMaps, FakeApiServer, imageStreams } from "@jsp/kube-fake"
import { ConfigSource, ImageCatalog, loadConfiguration, SourceUnavailable, writeUserSettings } from "@jsp/core"
import { Effect, Exit, Layer, Result, Scope } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { type Cluster, ClusterConfigSource, ClusterImageCatalog, ClusterUserSettingsStore, describeApiError, loadCluster, RequestTimedOut } from "../src/index.ts"
import { configMap, eventually, namespace, token } from "./helpers.ts"

// One deadline per try covers connecting, the headers and the body; the tries of a read together
// stay within twice the request timeout; nothing a finished request opened stays open.
// Times are only ever bounded from above, generously: two suites may share the machine.

const timeoutSeconds = 0.3
let fake: FakeApiServer
let cluster: Cluster
let scope: Scope.Closeable

const clusterWith = (seconds: number): Cluster => {
  const loaded = loadCluster({ server: fake.url, token, namespace, requestTimeoutSeconds: seconds })
  if (Result.isFailure(loaded)) throw loaded.failure
  return loaded.success
}

beforeEach(async () => {
  fake = await FakeApiServer.start({ token })
  cluster = clusterWith(timeoutSeconds)
  scope = await Effect.runPromise(Scope.make())
})
afterEach(async () => {
  await Effect.runPromise(Scope.close(scope, Exit.void))
  await fake.stop()
})

/** How long an effect took to fail, and its error. */
const failure = async <A, E>(effect: Effect.Effect<A, E>): Promise<{ error: E; ms: number }> => {
  const started = Date.now()
  const exit = await Effect.runPromiseExit(effect)
  const ms = Date.now() - started
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const error = exit.cause.reasons.find((r) => r._tag === "Fail")
  if (error === undefined || error._tag !== "Fail") throw new Error(`expected a failure, got ${String(exit.cause)}`)
  return { error: error.error, ms }
}

const oneShotSource = (c: Cluster = cluster) => Layer.build(ClusterConfigSource(c, { watch: false })).pipe(Effect.provideService(Scope.Scope, scope))
const watchingSource = (c: Cluster = cluster) => Layer.build(ClusterConfigSource(c, { watch: true })).pipe(Effect.provideService(Scope.Scope, scope))
const images = Effect.provide(ImageCatalog.use((c) => c.imageStreams), Layer.suspend(() => ClusterImageCatalog(cluster)))

/** Sockets keeping this process alive, by kind. */
const sockets = () => process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap").length

/**
 * The client closed every connection it opened: the fake sees none, and this process holds no more
 * sockets than before. Within 1.5 s, well before an idle keep-alive connection would expire (4 s
 * for the client, 5 s for the server), so a connection merely left idle is caught too.
 */
const nothingLeftOpen = async (before: number) => {
  await eventually(async () => (await fake.connections()) === 0 && sockets() <= before, 1_500)
}

describe("an API server that accepts the connection and never answers", () => {
  for (const hang of ["headers", "body"] as const) {
    it(`a read fails within its budget, saying how many tries and how long (hang: ${hang})`, async () => {
      const before = sockets()
      fake.hang = hang
      const { error, ms } = await failure(oneShotSource())
      expect(error).toBeInstanceOf(SourceUnavailable)
      expect(error).toMatchObject({ reason: "timeout", verb: "list", resource: "configmaps" })
      expect(error.message).toMatch(/list configmaps: the API server did not answer in time \(each try may take 0\.3 s, all tries together 0\.6 s\); 2 tries in 0\.\d+ s$/u)
      expect(fake.count("list")).toBe(2)
      // The budget is 2 × 0.3 s; the bound leaves room for a loaded machine.
      expect(ms).toBeLessThan(3_000)
      await nothingLeftOpen(before)
    })
  }

  it("the watching source's first sync, images and a settings write are bounded the same way", async () => {
    const before = sockets()
    fake.hang = "headers"
    const watch = await failure(watchingSource())
    expect(watch.error).toMatchObject({ reason: "timeout" })
    expect(watch.ms).toBeLessThan(3_000)
    const catalog = await failure(images)
    expect(catalog.error).toMatchObject({ reason: "timeout", resource: "imagestreams.image.openshift.io" })
    expect(catalog.error.message).toMatch(/2 tries in/u)
    expect(catalog.ms).toBeLessThan(3_000)

    fake.hang = false
    fake.put(configMaps, namespace, configMap("jupyter-singleuser-profiles", "sizes: [{ name: Small, resources: { limits: { cpu: '1' } } }]"))
    const context = await Effect.runPromise(Layer.buildWithScope(Layer.merge(ClusterConfigSource(cluster, { watch: false }), ClusterUserSettingsStore(cluster)), scope))
    fake.hang = "headers"
    const write = await failure(Effect.provide(writeUserSettings("alice", { last_selected_size: "Small" }), context))
    expect(write.error).toMatchObject({ reason: "timeout", verb: "get", resource: "configmaps" })
    expect(write.ms).toBeLessThan(3_000)
    await nothingLeftOpen(before)
  })

  it("a larger timeout is waited for: a slow answer within it succeeds", async () => {
    fake.put(configMaps, namespace, configMap("jupyter-singleuser-profiles", "profiles: [{ name: main }]"))
    fake.latencyMs = 400
    const context = await Effect.runPromise(Layer.buildWithScope(ClusterConfigSource(clusterWith(5), { watch: false }), scope))
    const { configuration } = await Effect.runPromise(Effect.provide(loadConfiguration(), context))
    expect(configuration.profiles.map((p) => p.name)).toEqual(["main"])
  })
})

describe("retries", () => {
  it("stop at the budget: a slow server answering 503 gets fewer than the five tries", async () => {
    fake.latencyMs = 200
    fake.failNext({ status: 503, count: 100, verb: "list" })
    const { error, ms } = await failure(oneShotSource())
    // The last try may get only what is left of the budget, and end as a timeout.
    expect(["server-error", "timeout"]).toContain(error.reason)
    const tries = Number(/; (\d+) tries in [\d.]+ s$/u.exec(error.message)?.[1])
    expect(tries).toBeGreaterThanOrEqual(1)
    expect(tries).toBeLessThan(5)
    expect(fake.count("list")).toBe(tries)
    expect(ms).toBeLessThan(3_000)
  })

  it("a fast failure is retried up to five tries, and the message says so", async () => {
    fake.failNext({ status: 503, count: 100, verb: "list" })
    const { error } = await failure(oneShotSource(clusterWith(5)))
    expect(error.message).toMatch(/list configmaps: the API server answered 503 — injected failure; 5 tries in [\d.]+ s$/u)
    expect(fake.count("list")).toBe(5)
  })

  it("a timed-out write was tried once (it may have happened), and its message offers no budget for more", () => {
    const error = describeApiError(new RequestTimedOut(300), { verb: "create", resource: "configmaps", name: "x", namespace, server: "http://s", timeoutMs: 300 }, { tries: 1, elapsedMs: 301 })
    expect(error.message).toBe("cluster http://s namespace odh: create configmaps x: the API server did not answer in time (each try may take 0.3 s); 1 try in 0.3 s")
  })

  it("a write is tried once", async () => {
    fake.put(configMaps, namespace, configMap("jupyter-singleuser-profiles", "sizes: [{ name: Small, resources: { limits: { cpu: '1' } } }]"))
    const context = await Effect.runPromise(Layer.buildWithScope(Layer.merge(ClusterConfigSource(cluster, { watch: false }), ClusterUserSettingsStore(cluster)), scope))
    fake.failNext({ status: 503, count: 100, verb: "create" })
    const { error } = await failure(Effect.provide(writeUserSettings("alice", { last_selected_size: "Small" }), context))
    expect(error).toMatchObject({ reason: "server-error", verb: "create" })
    expect(fake.count("create")).toBe(1)
  })
})

describe("a one-shot command's requests", () => {
  it("leave no connection open and nothing keeping the process alive", async () => {
    const before = sockets()
    fake.put(configMaps, namespace, configMap("jupyter-singleuser-profiles", "sizes: [{ name: Small, resources: { limits: { cpu: '1' } } }]"))
    fake.put(imageStreams, namespace, { metadata: { name: "s2i-minimal-notebook", labels: { "opendatahub.io/notebook-image": "true" } }, spec: { tags: [] } })
    const context = await Effect.runPromise(Layer.buildWithScope(Layer.merge(ClusterConfigSource(cluster, { watch: false }), ClusterUserSettingsStore(cluster)), scope))
    await Effect.runPromise(Effect.provide(writeUserSettings("alice", { last_selected_size: "Small" }), context))
    expect(await Effect.runPromise(images)).toHaveLength(1)
    expect(Effect.runSync(Effect.provide(ConfigSource.use((s) => s.inventory), context)).where).toMatch(/namespace odh/u)
    await nothingLeftOpen(before)
  })
})

describe("a one-shot process against a server that never answers", () => {
  // The in-process checks above count sockets; this one is the user's view: a process that reads
  // once and then has nothing left to do ends by itself, while the server still holds its end.
  it("ends by itself once the read has failed", async () => {
    fake.hang = "headers"
    const adapter = fileURLToPath(new URL("../src/index.ts", import.meta.url))
    const script = join(mkdtempSync(join(tmpdir(), "jsp-deadline-")), "one-shot.mjs")
    writeFileSync(script, [
      `import { Effect, Layer, Result } from "${fileURLToPath(new URL("../node_modules/effect/dist/index.js", import.meta.url))}"`,
      `import { ClusterConfigSource, loadCluster } from "${adapter}"`,
      `const cluster = loadCluster({ server: ${JSON.stringify(fake.url)}, token: ${JSON.stringify(token)}, namespace: "odh", requestTimeoutSeconds: 0.3 })`,
      "if (Result.isFailure(cluster)) throw cluster.failure",
      "const exit = await Effect.runPromiseExit(Effect.scoped(Layer.build(ClusterConfigSource(cluster.success, { watch: false }))))",
      "console.log(exit._tag === 'Failure' ? String(exit.cause) : 'succeeded')",
      ""
    ].join("\n"))
    const child = spawn(process.execPath, [script], { stdio: ["ignore", "pipe", "pipe"] })
    let output = ""
    child.stdout.on("data", (chunk: Buffer) => { output += chunk.toString("utf8") })
    child.stderr.on("data", (chunk: Buffer) => { output += chunk.toString("utf8") })
    // Generous: starting Node and loading the client takes seconds on a loaded machine.
    const ended = await new Promise<{ code: number | null; signal: NodeJS.Signals | null } | "still running">((resolve) => {
      const timer = setTimeout(() => resolve("still running"), 25_000)
      child.on("exit", (code, signal) => {
        clearTimeout(timer)
        resolve({ code, signal })
      })
    })
    if (ended === "still running") {
      child.kill("SIGKILL")
      await new Promise((resolve) => child.on("exit", resolve))
    }
    expect(child.exitCode !== null || child.signalCode !== null).toBe(true)
    expect(ended).toEqual({ code: 0, signal: null })
    expect(output).toMatch(/did not answer in time .*; 2 tries in/u)
    // The server still holds its end of those connections: they did not keep the process alive.
    expect(fake.count("list")).toBe(2)
  }, 40_000)
})
