import { spawn } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { configMaps, type FakeApiServer } from "@jsp/kube-fake"
import { type ConfigSource, loadConfiguration, readiness, sourceStatus } from "@jsp/core"
import { Effect, Exit, Layer, Scope } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { type Cluster, ClusterConfigSource, type ClusterSourceOptions } from "../src/index.ts"
import { configMap, eventually, fastWatch, namespace, startFakeCluster, stopFakeCluster, token, withLogs } from "./helpers.ts"

// The bounds are the waiting limits; the timings are shortened so that each test takes
// a fraction of them. Times are only ever bounded from above: two suites may share the machine.

const timings: ClusterSourceOptions = fastWatch

let fake: FakeApiServer
let cluster: Cluster
let reports: Array<string>
let scope: Scope.Closeable

beforeEach(async () => {
  ({ fake, cluster, scope } = await startFakeCluster())
  reports = []
})
afterEach(() => stopFakeCluster({ fake, cluster, scope }))

const main = "jupyter-singleuser-profiles"
const edit = (name: string) => fake.put(configMaps, namespace, configMap(main, `profiles: [{ name: ${name} }]`))

const source = async (options: ClusterSourceOptions = timings) => {
  edit("start")
  const context = await Effect.runPromise(Layer.buildWithScope(withLogs(ClusterConfigSource(cluster, options), reports), scope))
  const run = <A, E>(effect: Effect.Effect<A, E, ConfigSource>) => Effect.runPromise(Effect.provide(effect, context))
  const profile = async () => (await run(loadConfiguration())).configuration.profiles[0]?.name
  return { run, profile, status: () => run(sourceStatus()) }
}

/** How long until the source sees an edit made now, failing past `limitMs`. */
const editSeen = async (profile: () => Promise<string | undefined>, name: string, limitMs: number): Promise<number> => {
  const started = Date.now()
  edit(name)
  await eventually(async () => (await profile()) === name, limitMs)
  return Date.now() - started
}

describe("a watch accepted and never answered", () => {
  it("is abandoned at the header deadline; the cache reflects edits again within 12 s, and the status said why meanwhile", async () => {
    const { profile, status } = await source()
    fake.hangNext(3, "watch")
    fake.dropWatches()
    edit("during-the-hang")
    await eventually(async () => (await status()).restartsBy?.["timed-out"] === 1, 12_000)
    const stale = await status()
    expect(stale.synced).toBe(false)
    expect(stale.staleReason).toMatch(/accepted the watch and sent no answer within 0\.3 s/u)
    expect(stale.lastError?.reason).toBe("timeout")
    expect(readiness(stale, Date.now(), 60_000).ready).toBe(true)
    expect(readiness(stale, Date.parse(stale.staleSince ?? "") + 61_000, 60_000)).toMatchObject({ ready: false, reason: /beyond the bound of 60 s/u })
    await eventually(async () => (await profile()) === "during-the-hang", 12_000)
    const after = await status()
    expect(after).toMatchObject({ synced: true, restartsBy: { ended: 1, "timed-out": 3 } })
    expect(after.lastError).toBeUndefined()
    expect(after.staleSince).toBeUndefined()
    // One warning for the three tries (same cause), then the recovery, after it happened.
    expect(reports.filter((r) => r.includes("sent no answer"))).toHaveLength(1)
    expect(reports.at(-1)).toMatch(/watching ConfigMaps again, after [\d.]+ s stale and 4 tries/u)
  })
})

describe("watches ended cleanly by the server", () => {
  it("are resumed at once: an edit made at any moment is seen within 2 s, with no growing gap and no warning", async () => {
    const { profile, status } = await source()
    fake.watchLifetimeMs = 150
    fake.dropWatches()
    await eventually(async () => ((await status()).restartsBy?.ended ?? 0) >= 6, 10_000)
    // Gaps that grew (1, 2, 4 s…) would leave a handful of watches in this time; resuming at once, one per lifetime.
    for (const name of ["one", "two", "three"]) {
      await editSeen(profile, name, 2_000)
      await new Promise((r) => setTimeout(r, 70))
    }
    const after = await status()
    expect(after.restartsBy).toMatchObject({ "timed-out": 0, failed: 0, unreachable: 0 })
    expect(reports.filter((r) => /trying again|dropped|watching ConfigMaps again/u.test(r))).toEqual([])
  })

  it("a watch that ends at once, again and again, waits with backoff rather than looping", async () => {
    const { status } = await source({ ...timings, restartBackoff: { initialMs: 100, maxMs: 400 } })
    fake.watchLifetimeMs = 0
    fake.dropWatches()
    await new Promise((r) => setTimeout(r, 1_000))
    // 100, 200, 400, 400 ms… fewer than ten watches in a second; a loop would make hundreds.
    expect(fake.count("watch")).toBeLessThan(10)
    expect((await status()).staleReason).toMatch(/the API server ended the watch at once; trying again in/u)
  })
})

describe("recovery follows the server, not a backoff", () => {
  it("after an outage the cache catches up at once; the words say dropped, then cannot reach", async () => {
    const { profile, status } = await source()
    fake.down = true
    await eventually(async () => ((await status()).restartsBy?.unreachable ?? 0) >= 3, 5_000)
    edit("after-the-outage")
    const stale = await status()
    expect(stale).toMatchObject({ synced: false, restartsBy: { dropped: 1 }, lastError: { reason: "unreachable" } })
    expect(stale.staleReason).toMatch(/cannot reach the API server/u)
    fake.down = false
    // The probe interval is 0.1 s, the backoff would have reached 0.4 s: well within a second either way, so bound by 2 s.
    await eventually(async () => (await profile()) === "after-the-outage", 2_000)
    expect(reports.some((r) => /watch configmaps: the connection was dropped after [\d.]+ s \(/u.test(r))).toBe(true)
    expect(reports.some((r) => /did not answer in time/u.test(r))).toBe(false)
    expect((await status()).synced).toBe(true)
  })

  it("the backoff for errors restarts from its first step after a watch that worked", async () => {
    await source()
    // Long enough for the first watch to count as one that worked.
    await new Promise((r) => setTimeout(r, 150))
    for (const round of [1, 2]) {
      fake.failNext({ status: 500, count: 3, verb: "watch" })
      fake.dropWatches()
      await eventually(() => reports.filter((r) => r.includes("watching ConfigMaps again")).length === round, 5_000)
      // Long enough for the watch to count as one that worked.
      await new Promise((r) => setTimeout(r, 150))
    }
    const failures = reports.filter((r) => r.includes("answered 500"))
    expect(failures).toHaveLength(2)
    for (const line of failures) expect(line).toMatch(/trying again in 0\.05 s/u)
  })

  it("410 Gone inside the stream lists again at once", async () => {
    const { profile, status } = await source()
    fake.expireWatches()
    await editSeen(profile, "after-gone", 2_000)
    expect((await status()).restartsBy).toMatchObject({ gone: 1 })
    expect(reports.some((r) => /resourceVersion \d+ is gone \(410\); listing the ConfigMaps again/u.test(r))).toBe(true)
  })
})

describe("stopping", () => {
  const closeTook = async () => {
    const started = Date.now()
    await Effect.runPromise(Scope.close(scope, Exit.void))
    scope = await Effect.runPromise(Scope.make())
    return Date.now() - started
  }

  it("during a hung watch returns within 1 s, opens nothing after, and leaves no connection", async () => {
    await source({ ...timings, watchHeaderTimeoutMs: 30_000 })
    fake.hangNext(1, "watch")
    fake.dropWatches()
    await eventually(() => fake.requests.some((r) => r.verb === "watch" && r.status === 0))
    expect(await closeTook()).toBeLessThan(1_000)
    const requests = fake.count()
    await eventually(async () => (await fake.connections()) === 0, 1_000)
    await new Promise((r) => setTimeout(r, 300))
    expect(fake.count()).toBe(requests)
  })

  it("during a hung list (a relist after 410) returns within 1 s as well", async () => {
    await source({ ...timings, watchHeaderTimeoutMs: 30_000 })
    fake.hangNext(1, "list")
    fake.expireWatches()
    await eventually(() => fake.requests.some((r) => r.verb === "list" && r.status === 0))
    expect(await closeTook()).toBeLessThan(1_000)
    await eventually(async () => (await fake.connections()) === 0, 1_000)
  })

  it("a process that closes the scope during a hung watch exits by itself within 1 s", async () => {
    const adapter = fileURLToPath(new URL("../src/index.ts", import.meta.url))
    const effect = fileURLToPath(new URL("../node_modules/effect/dist/index.js", import.meta.url))
    const script = join(mkdtempSync(join(tmpdir(), "jsp-watch-")), "serve-then-stop.mjs")
    writeFileSync(script, [
      `import { Effect, Exit, Layer, Result, Scope } from "${effect}"`,
      `import { ClusterConfigSource, loadCluster } from "${adapter}"`,
      `const cluster = loadCluster({ server: ${JSON.stringify(fake.url)}, token: ${JSON.stringify(token)}, namespace: "odh" })`,
      "if (Result.isFailure(cluster)) throw cluster.failure",
      "const scope = await Effect.runPromise(Scope.make())",
      "await Effect.runPromise(Layer.buildWithScope(ClusterConfigSource(cluster.success), scope))",
      "console.log('synced')",
      // The test ends standard input once the watch hangs.
      "process.stdin.resume()",
      "await new Promise((resolve) => process.stdin.once('end', resolve))",
      "const started = Date.now()",
      "await Effect.runPromise(Scope.close(scope, Exit.void))",
      "console.log(`closed in ${Date.now() - started} ms`)",
      ""
    ].join("\n"))
    edit("start")
    const child = spawn(process.execPath, [script], { stdio: ["pipe", "pipe", "pipe"] })
    let output = ""
    let closedAt: number | undefined
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8")
      if (closedAt === undefined && output.includes("closed in")) closedAt = Date.now()
    })
    child.stderr.on("data", (chunk: Buffer) => { output += chunk.toString("utf8") })
    const exited = new Promise<number>((resolve) => {
      child.on("exit", () => resolve(Date.now()))
    })
    try {
      // Starting Node and loading the client takes seconds on a loaded machine.
      await eventually(() => output.includes("synced"), 20_000)
      fake.hangNext(1, "watch")
      fake.dropWatches()
      await eventually(() => fake.requests.some((r) => r.verb === "watch" && r.status === 0), 5_000)
      child.stdin.end()
      await eventually(() => closedAt !== undefined, 5_000)
      const exitedAt = await Promise.race([exited, new Promise<undefined>((resolve) => {
        setTimeout(() => resolve(undefined), 1_000)
      })])
      expect(output).toMatch(/closed in \d+ ms/u)
      expect(Number(/closed in (\d+) ms/u.exec(output)?.[1])).toBeLessThan(1_000)
      expect(exitedAt).toBeDefined()
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL")
        await exited
      }
    }
    expect(child.exitCode).toBe(0)
  }, 40_000)
})
