// `pnpm soak`: the watched cluster source against the API-server double on loopback, 120 s, with
// the default timings: an edit every 100 ms (every 10th invalid) under 200 resolves/s, and the
// faults of issue 10 one after another. Prints how stale the cache was, per fault, and what it cost.
import { loadConfiguration, readiness, resolveSpawn, sourceStatus } from "@jsp/core"
import { configMaps, FakeApiServer } from "@jsp/kube-fake"
import { Effect, Exit, Layer, Logger, Result, Scope } from "effect"
import { ClusterConfigSource, loadCluster } from "../src/index.ts"

const namespace = "odh"
const seconds = Number(process.env["SOAK_SECONDS"] ?? "120")
if (!Number.isFinite(seconds) || seconds < 100) throw new Error(`SOAK_SECONDS must be at least 100 (the faults take that long), not ${process.env["SOAK_SECONDS"]}`)
const main = "jupyter-singleuser-profiles"
const document = (label: string) => `profiles: [{ name: ${label} }]\nsizes: [{ name: S, resources: { limits: { cpu: '1' } } }]\n`

const fake = await FakeApiServer.start({ token: "soak", bookmarkIntervalMs: 60_000 })
fake.put(configMaps, namespace, { metadata: { name: main }, data: { "jupyterhub-singleuser-profiles.yaml": document("v0") } })
const cluster = loadCluster({ server: fake.url, token: "soak", namespace })
if (Result.isFailure(cluster)) throw cluster.failure
const logs: Array<string> = []
const logger = Logger.layer([Logger.make(({ message }) => {
  logs.push(`${((Date.now() - startedAt) / 1000).toFixed(1)} s ${(Array.isArray(message) ? message : [message]).map(String).join(" ")}`)
})])
const startedAt = Date.now()
const scope = await Effect.runPromise(Scope.make())
const context = await Effect.runPromise(Layer.buildWithScope(ClusterConfigSource(cluster.success).pipe(Layer.provide(logger)), scope))
const profile = () => Effect.runSync(Effect.provide(loadConfiguration(), context)).configuration.profiles[0]?.name ?? ""
const status = () => Effect.runSync(Effect.provide(sourceStatus(), context))
const heapAtStart = process.memoryUsage().heapUsed

// Phases: [start s, name]; each fault is injected at its start.
let phase = "steady"
const edits: Array<{ n: number; at: number; phase: string; seenAt?: number }> = []
let editNumber = 0
const editTimer = setInterval(() => {
  editNumber++
  const valid = editNumber % 10 !== 0
  fake.put(configMaps, namespace, { metadata: { name: main }, data: { "jupyterhub-singleuser-profiles.yaml": valid ? document(`v${editNumber}`) : `profiles: [{ name: bad-${editNumber}\n  oops: [` } })
  if (valid) edits.push({ n: editNumber, at: Date.now(), phase })
}, 100)

// What the cache holds, looked at every millisecond: when each edit was first seen.
let seenUpTo = 0
let sawInvalid = 0
const watchTimer = setInterval(() => {
  const name = profile()
  if (name.startsWith("bad-")) sawInvalid++
  const n = Number(name.slice(1))
  if (n <= seenUpTo) return
  const now = Date.now()
  for (const e of edits) if (e.n <= n && e.seenAt === undefined) e.seenAt = now
  seenUpTo = n
}, 1)

let resolves = 0
let resolveErrors = 0
const resolveTimer = setInterval(() => {
  for (let i = 0; i < 10; i++) {
    const exit = Effect.runSyncExit(Effect.provide(resolveSpawn({ user: `user-${resolves % 100}`, groups: [], image: "img:1", size: "S" }), context))
    resolves++
    if (Exit.isFailure(exit)) resolveErrors++
  }
}, 50)

let notReady = 0
const readyTimer = setInterval(() => {
  if (!readiness(status(), Date.now()).ready) notReady++
}, 100)

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const at = (s: number) => sleep(Math.max(0, startedAt + s * 1000 - Date.now()))
const marks: Record<string, number> = {}

await at(10)
phase = "clean end"
fake.dropWatches()
await at(15)
phase = "abrupt drop"
fake.down = true
fake.down = false
await at(20)
phase = "410 in the stream"
fake.expireWatches()
await at(30)
phase = "5 s of 500s"
fake.failNext({ status: 500, count: 1_000_000 })
fake.dropWatches()
await at(35)
fake.clearFailures()
marks["500s over"] = Date.now()
await at(45)
phase = "a watch accepted and never answered"
marks["hang"] = Date.now()
fake.hangNext(1, "watch")
fake.dropWatches()
await at(60)
phase = "watches ended every 5 s"
fake.watchLifetimeMs = 5_000
fake.dropWatches()
await at(80)
fake.watchLifetimeMs = undefined
phase = "5 s outage"
fake.down = true
await at(85)
fake.down = false
marks["outage over"] = Date.now()
await at(95)
phase = "steady again"
await at(seconds - 5)
phase = "end"
clearInterval(editTimer)
await at(seconds)

// Stop during a hung watch.
const hungWatches = () => fake.requests.filter((r) => r.verb === "watch" && r.status === 0).length
const hungBefore = hungWatches()
fake.hangNext(1, "watch")
fake.dropWatches()
while (hungWatches() === hungBefore) await sleep(5)
const finalStatus = status()
const requestsBeforeStop = fake.count()
const stopStarted = Date.now()
await Effect.runPromise(Scope.close(scope, Exit.void))
const stopMs = Date.now() - stopStarted
for (const timer of [watchTimer, resolveTimer, readyTimer]) clearInterval(timer)
await sleep(500)
const connectionsAfterStop = await fake.connections()
const requestsAfterStop = fake.count() - requestsBeforeStop
const heapAtEnd = process.memoryUsage().heapUsed
await fake.stop()

const quantile = (values: ReadonlyArray<number>, q: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN
}
const staleness = (list: ReadonlyArray<{ at: number; seenAt?: number }>) => {
  const ms = list.map((e) => (e.seenAt ?? Number.POSITIVE_INFINITY) - e.at)
  return `p50 ${quantile(ms, 0.5)} ms, p99 ${quantile(ms, 0.99)} ms, max ${Math.max(...ms)} ms (${list.length} edits${list.some((e) => e.seenAt === undefined) ? `, ${list.filter((e) => e.seenAt === undefined).length} never seen` : ""})`
}
const phases = [...new Set(edits.map((e) => e.phase))]
const lagAfter = (mark: number | undefined) => {
  if (mark === undefined) return "n/a"
  const pending = edits.filter((e) => e.at < mark)
  return `${Math.max(0, ...pending.map((e) => (e.seenAt ?? Number.POSITIVE_INFINITY) - mark))} ms`
}
const hangEdits = edits.filter((e) => e.phase === "a watch accepted and never answered" && e.at < (marks["hang"] ?? 0) + 1_000)

console.log(`soak: ${seconds} s, ${editNumber} edits (every 10th invalid), ${resolves} resolves (${(resolves / seconds).toFixed(0)}/s), default timings`)
console.log(`resolves failed: ${resolveErrors}; looks that saw an invalid document: ${sawInvalid}`)
console.log(`staleness overall: ${staleness(edits)}`)
for (const p of phases) console.log(`  ${p}: ${staleness(edits.filter((e) => e.phase === p))}`)
console.log(`a watch accepted and never answered: edits of its first second seen at most ${Math.max(...hangEdits.map((e) => (e.seenAt ?? Number.POSITIVE_INFINITY) - (marks["hang"] ?? 0)))} ms after the fault (bound 12 s)`)
console.log(`behind the server after it recovered: from 500s ${lagAfter(marks["500s over"])}, from the outage ${lagAfter(marks["outage over"])}`)
console.log(`readiness checks not ready (bound 60 s): ${notReady}`)
console.log(`API requests: ${fake.count()} (${["list", "watch"].map((v) => `${fake.count(v)} ${v}`).join(", ")}); restarts ${JSON.stringify(finalStatus.restartsBy)}`)
console.log(`stop during a hung watch: ${stopMs} ms (bound 1 s); ${requestsAfterStop} requests and ${connectionsAfterStop} connections after it`)
console.log(`heap: ${(heapAtStart / 1e6).toFixed(1)} MB after sync, ${(heapAtEnd / 1e6).toFixed(1)} MB at the end`)
// The rejected versions and their recoveries are logged too (one pair per invalid edit); only the watch's own lines are shown.
const watchLines = logs.filter((line) => !/ odh: ConfigMap /u.test(line))
console.log(`log: ${logs.length - watchLines.length} lines about rejected and valid-again versions, and these about the watch:`)
for (const line of watchLines) console.log(`  ${line.replace(fake.url, "URL")}`)
