// `pnpm bench`, the webhook: admission requests per second and p50/p99 latency over HTTPS with
// keep-alive on loopback, `jsp serve` (a real process, the bundle, the example configuration)
// beside a bare node:https server answering the same bytes (the ceiling, ceiling-server.ts) and
// one that also parses the review and writes the answer (the floor of any webhook).
// The load runs here, in a process of its own: autocannon at full speed (closed loop, every
// answer checked byte for byte), then paced-load.ts at a fixed 500 requests/s (open loop).
// Targets (issue 9): ≥ 60% of the ceiling's throughput; p99 ≤ 5 ms at 500 requests/s.
//   node packages/server/bench/admission.ts [seconds per run]
import { isJsonObject } from "@jsp/core"
import autocannon from "autocannon"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { call, examplePod, reviewOf } from "../test/fixture.ts"
import { pacedLoad } from "./paced-load.ts"
import { freshBundle, root, type Served, startJspServe, startListening, writeCertificate } from "./serve-process.ts"
import { percentile } from "./stats.ts"

const seconds = Number(process.argv[2] ?? 10)
const connections = 8
const fixedRate = 500
const targets = { throughputShare: 0.6, p99AtRateMs: 5 }

interface Figures {
  readonly perSecond: number
  readonly p50: number
  readonly p99: number
  /** The server's CPU time per answer (µs): unlike the rate, it barely moves when other work shares the machine. */
  readonly cpuMicros: number
}

/** Full speed for `duration` s; every answer must be 200 with exactly `expected` as its body. */
const fullSpeed = (server: Served, body: string, expected: string, duration: number): Promise<Figures> =>
  new Promise((resolve, reject) => {
    const latencies: Array<number> = []
    const cpuBefore = server.cpuSeconds()
    const instance = autocannon({
      url: `https://127.0.0.1:${server.port}/mutate`,
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      connections,
      duration,
      expectBody: expected
    }, (error, result) => {
      if (error !== null && error !== undefined) return reject(error)
      const wrong = result.errors + result.timeouts + result.non2xx + result.mismatches
      if (wrong > 0) return reject(new Error(`${wrong} failed or wrong answers (errors ${result.errors}, timeouts ${result.timeouts}, non-2xx ${result.non2xx}, wrong body ${result.mismatches})`))
      const cpuMicros = (server.cpuSeconds() - cpuBefore) * 1e6 / latencies.length
      resolve({ perSecond: latencies.length / result.duration, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), cpuMicros })
    })
    instance.on("response", (_client, _status, _bytes, ms) => latencies.push(ms))
  })

/** `fixedRate` requests per second for `duration` s, open loop; every answer checked. */
const atRate = async (server: Served, ca: Buffer, body: string, expected: string, duration: number): Promise<Figures> => {
  const cpuBefore = server.cpuSeconds()
  const result = await pacedLoad({
    port: server.port,
    ca,
    path: "/mutate",
    rate: fixedRate,
    durationMs: duration * 1000,
    warmupMs: 1_000,
    connections,
    request: () => ({ body, check: (answer) => answer.status !== 200 ? `status ${answer.status}` : answer.body === expected ? undefined : "wrong body" })
  })
  if (result.failures.length > 0) throw new Error(`${result.failures.length} failed or wrong answers, first: ${result.failures[0]}`)
  return {
    perSecond: result.sent * 1000 / result.elapsedMs,
    p50: percentile(result.latenciesMs, 0.5),
    p99: percentile(result.latenciesMs, 0.99),
    cpuMicros: (server.cpuSeconds() - cpuBefore) * 1e6 / (result.sent + result.warmup)
  }
}

await freshBundle()
const dir = mkdtempSync(join(tmpdir(), "jsp-serve-bench-"))
const servers: Array<Served> = []
try {
  const tls = await writeCertificate(dir)
  const ca = readFileSync(tls.cert)
  const jsp = await startJspServe(["--config", join(root, "examples/config")], tls, join(dir, "jsp.log"))
  servers.push(jsp)
  // A KubeSpawner pod as the API server sends it; jsp's answer is the ceiling's fixed answer.
  const body = JSON.stringify(reviewOf(examplePod()))
  const answer = await call({ port: jsp.port, ca: ca.toString("utf8") }, "POST", "/mutate", { raw: body, headers: { "content-type": "application/json" } })
  const review = answer.json
  const patched = isJsonObject(review) && isJsonObject(review["response"]) && review["response"]["patchType"] === "JSONPatch"
  if (answer.status !== 200 || !patched) throw new Error(`jsp did not patch the example pod: ${answer.status} ${answer.text}`)
  const bodyFile = join(dir, "answer.json")
  writeFileSync(bodyFile, answer.text)
  const reference = (mode: "fixed" | "parse") =>
    startListening([process.execPath, fileURLToPath(new URL("ceiling-server.ts", import.meta.url)), tls.cert, tls.key, bodyFile, mode], join(dir, `${mode}.log`))
  const ceiling = await reference("fixed")
  servers.push(ceiling)
  const floor = await reference("parse")
  servers.push(floor)

  const runs = [{ name: "jsp serve", server: jsp }, { name: "bare node:https", server: ceiling }, { name: "+ parse review", server: floor }]
  const loadBefore = loadavg()[0] ?? 0
  for (const run of runs) await fullSpeed(run.server, body, answer.text, 2) // warm up: JIT, TLS sessions
  // Two rounds, in turn and in alternating order, so that a busy moment of the machine hits both alike.
  const max = new Map<string, Array<Figures>>(runs.map((r) => [r.name, []]))
  const paced = new Map<string, Array<Figures>>(runs.map((r) => [r.name, []]))
  for (const round of [0, 1]) {
    for (const run of round === 0 ? runs : [...runs].reverse()) max.get(run.name)?.push(await fullSpeed(run.server, body, answer.text, seconds / 2))
    for (const run of round === 0 ? runs : [...runs].reverse()) paced.get(run.name)?.push(await atRate(run.server, ca, body, answer.text, seconds / 2))
  }
  // Over the rounds: the mean rate, the worse percentiles.
  const combine = (figures: ReadonlyArray<Figures>): Figures => ({
    perSecond: figures.reduce((sum, f) => sum + f.perSecond, 0) / figures.length,
    p50: Math.max(...figures.map((f) => f.p50)),
    p99: Math.max(...figures.map((f) => f.p99)),
    cpuMicros: figures.reduce((sum, f) => sum + f.cpuMicros, 0) / figures.length
  })
  const [jspMax, ceilingMax, floorMax] = runs.map((r) => combine(max.get(r.name) ?? []))
  const [jspPaced, ceilingPaced, floorPaced] = runs.map((r) => combine(paced.get(r.name) ?? []))
  if (jspMax === undefined || ceilingMax === undefined || floorMax === undefined || jspPaced === undefined || ceilingPaced === undefined || floorPaced === undefined) {
    throw new Error("missing results")
  }

  console.log(`webhook over HTTPS keep-alive on loopback: ${connections} connections, ${Buffer.byteLength(body)}-byte AdmissionReview in, ` +
    `${answer.text.length}-byte answer out; ${seconds} s per server and load; load average ${loadBefore.toFixed(1)} before, ${(loadavg()[0] ?? 0).toFixed(1)} after (2 cores: above ~2, other work shared them)`)
  console.log(`${"server".padEnd(16)} ${"max req/s".padStart(10)} ${"p50".padStart(8)} ${"p99".padStart(8)} ${"CPU/req".padStart(8)}   ${`at ${fixedRate}/s: p50`.padStart(16)} ${"p99".padStart(8)} ${"CPU/req".padStart(8)}`)
  const ms = (value: number) => `${value.toFixed(2)} ms`.padStart(8)
  const us = (value: number) => `${value.toFixed(0)} µs`.padStart(8)
  for (const [name, m, p] of [["jsp serve", jspMax, jspPaced], ["bare node:https", ceilingMax, ceilingPaced], ["+ parse review", floorMax, floorPaced]] as const) {
    console.log(`${name.padEnd(16)} ${m.perSecond.toFixed(0).padStart(10)} ${ms(m.p50)} ${ms(m.p99)} ${us(m.cpuMicros)}   ${ms(p.p50).padStart(16)} ${ms(p.p99)} ${us(p.cpuMicros)}`)
  }
  const share = jspMax.perSecond / ceilingMax.perSecond
  // What the share would be with a core to itself: the ceiling's CPU per answer over jsp's.
  const cpuShare = ceilingMax.cpuMicros / jspMax.cpuMicros
  console.log(`jsp throughput ≥ ${targets.throughputShare * 100}% of the ceiling: ${(share * 100).toFixed(0)}% ` +
    `(by CPU per answer ${(cpuShare * 100).toFixed(0)}%) — ${share >= targets.throughputShare ? "met" : "MISSED"}`)
  // The least any webhook does that reads the review it is sent (parse it, write the answer):
  // how much of the ceiling is left for the decision itself.
  console.log(`a bare server that parses the review and writes the answer reaches ${(floorMax.perSecond / ceilingMax.perSecond * 100).toFixed(0)}% of the ceiling ` +
    `(by CPU per answer ${(ceilingMax.cpuMicros / floorMax.cpuMicros * 100).toFixed(0)}%); jsp reaches ${(jspMax.perSecond / floorMax.perSecond * 100).toFixed(0)}% of it`)
  console.log(`jsp p99 ≤ ${targets.p99AtRateMs} ms at ${fixedRate} requests/s: ${jspPaced.p99.toFixed(2)} ms — ${jspPaced.p99 <= targets.p99AtRateMs ? "met" : "MISSED"}`)
} finally {
  for (const server of servers) await server.stop()
  rmSync(dir, { recursive: true, force: true })
}
