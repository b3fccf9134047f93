// `pnpm bench`, memory: resident memory of `jsp serve` (a real process, the bundle, with the heap
// flags bin/jsp gives it) with the 2,000-profile configuration loaded, then as a full-speed run
// of admissions for its users ends, and once it has been idle a while (jsp compacts an idle
// server that grew: heap-compaction.ts), in two runs. Target (issue 9): ≤ 160 MiB loaded and
// after the load (the original Python process holds the same configuration in ~105 MiB).
// docs/decisions.md, "Memory of jsp serve", says where it goes.
//   node packages/server/bench/memory.ts [seconds of load]
import autocannon from "autocannon"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { call } from "../test/fixture.ts"
import { generatedUser, writeLargeConfig } from "./large-config.ts"
import { reviewBodyFor } from "./reviews.ts"
import { freshBundle, root, type Served, startJspServe, writeCertificate } from "./serve-process.ts"
import type { Resident } from "./stats.ts"

const seconds = Number(process.argv[2] ?? 10)
const targetMiB = 160

const idleWaitMs = 8_000

interface Measured {
  readonly listening: Resident
  readonly loaded: Resident
  readonly after: Resident
  /** `idleWaitMs` after the load. */
  readonly idle: Resident
  readonly admissions: number
}

const measure = async (dir: string, configFile: string, tls: { readonly cert: string; readonly key: string }): Promise<Measured> => {
  const ca = readFileSync(tls.cert, "utf8")
  let jsp: Served | undefined
  try {
    jsp = await startJspServe(["--config", join(root, "examples/config"), "--config", configFile], tls, join(dir, "jsp.log"))
    const listening = jsp.memory()
    // Ready once the files are read (at start, or when first needed).
    const ready = await call({ port: jsp.port, ca }, "GET", "/readyz")
    if (ready.status !== 200) throw new Error(`not ready: ${ready.status} ${ready.text}`)
    const loaded = jsp.memory()
    const bodies = Array.from({ length: 500 }, (_, i) => reviewBodyFor(generatedUser(i), `uid-${i}`))
    const result = await autocannon({
      url: `https://127.0.0.1:${jsp.port}/mutate`,
      method: "POST",
      headers: { "content-type": "application/json" },
      connections: 8,
      duration: seconds,
      requests: bodies.map((body) => ({ body }))
    })
    const wrong = result.errors + result.timeouts + result.non2xx
    if (wrong > 0) throw new Error(`${wrong} failed answers (errors ${result.errors}, timeouts ${result.timeouts}, non-2xx ${result.non2xx})`)
    const after = jsp.memory()
    await new Promise((resolve) => setTimeout(resolve, idleWaitMs))
    return { listening, loaded, after, idle: jsp.memory(), admissions: result.requests.total }
  } finally {
    if (jsp !== undefined) await jsp.stop()
  }
}

await freshBundle()
const dir = mkdtempSync(join(tmpdir(), "jsp-serve-memory-"))
try {
  const tls = await writeCertificate(dir)
  const large = writeLargeConfig(dir)
  console.log(`jsp serve memory: examples/config + 2,000 generated profiles (50,000 users) in one labelled ConfigMap, ` +
    `a ${(large.documentBytes / 1024).toFixed(0)} KiB YAML document; then ${seconds} s of admissions at full speed for 500 of its users`)
  console.log(`${"run".padEnd(4)} ${"listening".padStart(10)} ${"loaded".padStart(8)} ${"load ends".padStart(10)} ${`idle ${idleWaitMs / 1000} s`.padStart(10)} ${"peak (VmHWM)".padStart(13)}`)
  const mib = (value: number, width: number) => `${value.toFixed(0)} MiB`.padStart(width)
  for (const run of [1, 2]) {
    const m = await measure(dir, large.file, tls)
    const worst = Math.max(m.loaded.rssMiB, m.idle.rssMiB)
    console.log(`${String(run).padEnd(4)} ${mib(m.listening.rssMiB, 10)} ${mib(m.loaded.rssMiB, 8)} ${mib(m.after.rssMiB, 10)} ${mib(m.idle.rssMiB, 10)} ${mib(m.idle.hwmMiB, 13)}` +
      `   loaded and after the load (idle) ≤ ${targetMiB} MiB: ${worst <= targetMiB ? "met" : "MISSED"}`)
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
