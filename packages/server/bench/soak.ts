// `pnpm soak:serve`: `jsp serve --source cluster` (a real process, the bundle) on the API-server
// double kube-fake (in this process), 60 s at 200 admissions/s over HTTPS keep-alive on loopback,
// while the main configuration ConfigMap is edited every second and once made invalid. The
// 2,000-profile ConfigMap sits beside it. Every answer is checked: status, uid, allowed, a JSON
// Patch that applies to the request's pod, and the patched pod equal to what `jsp apply` makes of
// the configuration version it carries (the global profile's THIS_IS_GLOBAL says which), a version
// in force about then (put at most `lagMs` before the request was sent, and before its answer).
// Then resident memory, as the soak ends and once the last edit has settled. Exits 1 on any
// failed or wrong answer.
//   node packages/server/bench/soak.ts [seconds] [requests per second]
import { applySpawn, isJsonObject, type JsonObject } from "@jsp/core"
import { MemoryConfigSource } from "@jsp/core/testing"
import { configMaps, FakeApiServer } from "@jsp/kube-fake"
import { Effect } from "effect"
import jsonPatch from "fast-json-patch"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { isDeepStrictEqual } from "node:util"
import { parse } from "yaml"
import { call } from "../test/fixture.ts"
import { generatedUser, largeConfigMap } from "./large-config.ts"
import { type Answered, pacedLoad } from "./paced-load.ts"
import { podFor, reviewBodyFor } from "./reviews.ts"
import { freshBundle, root, type Served, startJspServe, writeCertificate } from "./serve-process.ts"
import { percentile } from "./stats.ts"

const seconds = Number(process.argv[2] ?? 60)
const rate = Number(process.argv[3] ?? 200)
const settleMs = 5_000
const namespace = "odh"
const token = "soak-token"
const configKey = "jupyterhub-singleuser-profiles.yaml"
const invalidAt = Math.floor(seconds / 2)
// How long an edit may take to reach jsp through the watch.
const lagMs = 3_000

const manifest = (file: string): JsonObject => {
  const value: unknown = parse(readFileSync(join(root, "examples/config", file), "utf8"))
  if (!isJsonObject(value)) throw new Error(`${file} is not a manifest`)
  return value
}
const main = manifest("profiles.yaml")
const mainText = (() => {
  const data = main["data"]
  const text = isJsonObject(data) ? data[configKey] : undefined
  if (typeof text !== "string" || !text.includes("This will appear in all singleuser pods")) throw new Error("unexpected examples/config/profiles.yaml")
  return text
})()
const settings = manifest("user-vpavlin.yaml")
const settingsText = (() => {
  const data = settings["data"]
  const text = isJsonObject(data) ? data["profile"] : undefined
  if (typeof text !== "string") throw new Error("unexpected examples/config/user-vpavlin.yaml")
  return text
})()

/** Version n of the main document: the global profile's THIS_IS_GLOBAL names it. */
const versionText = (n: number) => mainText.replace("This will appear in all singleuser pods", `version ${n}`)
const brokenText = "profiles:\n  - name: globals\n    resources: { requests: { cpu: [unclosed\n"
const exampleUsers = ["vpavlin", "acorvin", "fpokorny", "nobody-in-particular"]

// What `jsp apply` makes of a pod under version n; the generated profiles match none of these users.
const expected = new Map<string, JsonObject>()
const expectedPod = async (n: number, user: string): Promise<JsonObject> => {
  const key = `${n}/${user}`
  const known = expected.get(key)
  if (known !== undefined) return known
  const source = MemoryConfigSource({ documents: [{ source: "main", text: versionText(n) }], userSettings: { vpavlin: settingsText } })
  const { pod } = await Effect.runPromise(applySpawn(podFor(user), {}, { unknownSize: "warn" }).pipe(Effect.provide(source)))
  expected.set(key, pod)
  return pod
}

const notebookEnv = (pod: unknown, name: string): string | undefined => {
  const spec = isJsonObject(pod) ? pod["spec"] : undefined
  const containers = isJsonObject(spec) && Array.isArray(spec["containers"]) ? spec["containers"] : []
  const notebook: unknown = containers.find((c) => isJsonObject(c) && c["name"] === "notebook")
  const env = isJsonObject(notebook) && Array.isArray(notebook["env"]) ? notebook["env"] : []
  const entry: unknown = env.find((e) => isJsonObject(e) && e["name"] === name)
  return isJsonObject(entry) && typeof entry["value"] === "string" ? entry["value"] : undefined
}

interface Edit { readonly version: number; readonly at: number }
const edits: Array<Edit> = []
const validAt = (time: number): number => edits.filter((e) => e.version >= 0 && e.at <= time).at(-1)?.version ?? 0

await freshBundle()
const dir = mkdtempSync(join(tmpdir(), "jsp-serve-soak-"))
const fake = await FakeApiServer.start({ token })
let jsp: Served | undefined
let editor: NodeJS.Timeout | undefined
try {
  fake.put(configMaps, namespace, { ...main, data: { [configKey]: versionText(0) } })
  fake.put(configMaps, namespace, largeConfigMap())
  fake.put(configMaps, namespace, settings)
  edits.push({ version: 0, at: performance.now() })
  const tls = await writeCertificate(dir)
  const ca = readFileSync(tls.cert, "utf8")
  jsp = await startJspServe(["--source", "cluster", "--server", fake.url, "--token", token, "--namespace", namespace], tls, join(dir, "jsp.log"))
  const server = jsp
  for (const deadline = Date.now() + 60_000; ;) {
    if ((await call({ port: server.port, ca }, "GET", "/readyz")).status === 200) break
    if (Date.now() > deadline) throw new Error("jsp serve was not ready within 60 s")
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  const ready = server.memory()

  let version = 0
  editor = setInterval(() => {
    version++
    // -1 marks the invalid version: the last good one stays in force.
    const invalid = version === invalidAt
    fake.put(configMaps, namespace, { ...main, data: { [configKey]: invalid ? brokenText : versionText(version) } })
    edits.push({ version: invalid ? -1 : version, at: performance.now() })
  }, 1_000)

  const pending: Array<Promise<string | undefined>> = []
  const seen = new Set<number>()
  const check = (user: string, uid: string, sentAt: number) => (answer: Answered): string | undefined => {
    const answeredAt = performance.now()
    if (answer.status !== 200) return `status ${answer.status}: ${answer.body.slice(0, 200)}`
    const review: unknown = JSON.parse(answer.body)
    const response = isJsonObject(review) ? review["response"] : undefined
    if (!isJsonObject(review) || review["kind"] !== "AdmissionReview" || !isJsonObject(response)) return `not an AdmissionReview: ${answer.body.slice(0, 200)}`
    if (response["uid"] !== uid) return `uid ${String(response["uid"])}, expected ${uid}`
    if (response["allowed"] !== true) return `not allowed: ${JSON.stringify(response["status"])}`
    if (response["patchType"] !== "JSONPatch" || typeof response["patch"] !== "string") return `no JSON Patch: ${answer.body.slice(0, 300)}`
    const operations: unknown = JSON.parse(Buffer.from(response["patch"], "base64").toString("utf8"))
    if (!Array.isArray(operations)) return "the patch is not a list of operations"
    let patched: unknown
    try {
      patched = jsonPatch.applyPatch(podFor(user), operations, true, false).newDocument
    } catch (error) {
      return `the patch does not apply: ${error instanceof Error ? error.message : String(error)}`
    }
    const carried = /^version (\d+)$/u.exec(notebookEnv(patched, "THIS_IS_GLOBAL") ?? "")?.[1]
    if (carried === undefined) return `no configuration version in the pod (THIS_IS_GLOBAL ${notebookEnv(patched, "THIS_IS_GLOBAL")})`
    const n = Number(carried)
    seen.add(n)
    const earliest = validAt(sentAt - lagMs)
    const latest = validAt(answeredAt)
    if (n < earliest || n > latest) return `version ${n} out of [${earliest}, ${latest}], the versions in force about then`
    const team = /^user-(\d+)$/u.exec(user)?.[1]
    if (team !== undefined) {
      // A generated user: their team profile applies, over the global one.
      const profile = Math.floor(Number(team) / 25)
      return notebookEnv(patched, "TEAM_0") === `team ${profile} value 0` ? undefined : `team-${profile}'s env missing for ${user}`
    }
    pending.push(expectedPod(n, user).then((pod) => isDeepStrictEqual(pod, patched) ? undefined : `the pod of ${user} differs from jsp apply's under version ${n}`))
    return undefined
  }
  const cpuBefore = server.cpuSeconds()
  const result = await pacedLoad({
    port: server.port,
    ca,
    path: "/mutate",
    rate,
    durationMs: seconds * 1000,
    connections: 8,
    request: (i) => {
      const user = i % 2 === 0 ? exampleUsers[(i / 2) % exampleUsers.length] ?? "vpavlin" : generatedUser(i)
      const uid = `soak-${i}`
      return { body: reviewBodyFor(user, uid), check: check(user, uid, performance.now()) }
    }
  })
  clearInterval(editor)
  const cpu = server.cpuSeconds() - cpuBefore
  const failures = [...result.failures, ...(await Promise.all(pending)).filter((f) => f !== undefined)]
  const after = server.memory()
  // A server between bursts: the last edit has settled and jsp has compacted its heap after it
  // (two looks a second apart find the same versions: heap-compaction.ts).
  await new Promise((resolve) => setTimeout(resolve, settleMs))
  const settled = server.memory()
  const metrics = await call({ port: server.port, ca }, "GET", "/metrics")
  const reloads = /jsp_configuration_reloads_total\{outcome="(\w+)"\} (\d+)/gu
  console.log(`soak: jsp serve --source cluster on kube-fake, ${seconds} s at ${rate} admissions/s (half example users, half of the 50,000 generated ones), ` +
    `main ConfigMap edited every second (${edits.length - 1} edits, version ${invalidAt} invalid), 2,000-profile ConfigMap beside it`)
  console.log(`answers: ${result.latenciesMs.length} of ${result.sent}, ${failures.length} failed or wrong; ` +
    `latency p50 ${percentile(result.latenciesMs, 0.5).toFixed(2)} ms, p99 ${percentile(result.latenciesMs, 0.99).toFixed(2)} ms, ` +
    `max ${Math.max(...result.latenciesMs).toFixed(1)} ms; jsp CPU ${(cpu * 1e6 / result.sent).toFixed(0)} µs per answer`)
  console.log(`configuration versions the answers carried: ${seen.size} of ${edits.filter((e) => e.version >= 0).length} (${Math.min(...seen)}…${Math.max(...seen)}); ` +
    `jsp's API requests: ${fake.count("list")} list, ${fake.count("watch")} watch; jsp_configuration_reloads_total: ${[...metrics.text.matchAll(reloads)].map((m) => `${m[1]} ${m[2]}`).join(", ") || "not counted"}`)
  console.log(`jsp serve resident memory: ${ready.rssMiB.toFixed(0)} MiB when ready (2,000 profiles loaded), ${after.rssMiB.toFixed(0)} MiB as the soak ends, ` +
    `${settled.rssMiB.toFixed(0)} MiB ${settleMs / 1000} s later (the last edit settled), peak ${settled.hwmMiB.toFixed(0)} MiB`)
  for (const failure of failures.slice(0, 10)) console.log(`  ${failure}`)
  if (failures.length > 0) process.exitCode = 1
  console.log(`0 failed or wrong answers: ${failures.length === 0 ? "met" : "MISSED"}; resident memory after the soak (settled) ≤ 160 MiB: ${settled.rssMiB <= 160 ? "met" : "MISSED"}`)
} finally {
  if (editor !== undefined) clearInterval(editor)
  if (jsp !== undefined) await jsp.stop()
  await fake.stop()
  rmSync(dir, { recursive: true, force: true })
}
