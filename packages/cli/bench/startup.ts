// How fast `jsp` starts, against Node's own start with the same binary (`node -e 0`).
// Each round runs every command once, in turn, so that a busy machine slows all of them alike;
// the figures are medians over the rounds, and the peak memory (max RSS) the largest seen.
//   node packages/cli/bench/startup.ts [rounds]     (npx -y pnpm@10 bench runs it)
// jsp is the launcher packages/cli/bin/jsp, running the bundle when it is fresh (see README).
import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../../../", import.meta.url))
const node = join(root, "node_modules/node/bin/node")
// The jsp launcher (what `pnpm exec jsp` runs, after pnpm's own shim node_modules/.bin/jsp).
const jsp = join(root, "packages/cli/bin/jsp")
const rounds = Number(process.argv[2] ?? 15)
// GNU time reports the peak RSS of the command it runs (`%M`, KiB); without it, memory is not measured.
const time = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined

interface Case { readonly name: string; readonly command: ReadonlyArray<string>; readonly maxRatio?: number }
const cases: ReadonlyArray<Case> = [
  { name: "node -e 0", command: [node, "-e", "0"] },
  { name: "jsp --help", command: [jsp, "--help"], maxRatio: 2.5 },
  { name: "jsp apply", command: [jsp, "apply", "--config", "examples/config", "--pod", "examples/pod.yaml"], maxRatio: 3 },
  { name: "jsp validate", command: [jsp, "validate", "examples/config"], maxRatio: 3 },
  // For information: pnpm's generated shim in front (it runs sed, dirname and uname first).
  { name: ".bin/jsp --help", command: [join(root, "node_modules/.bin/jsp"), "--help"] }
]
const maxRssMiB = 100

const scratch = mkdtempSync(join(tmpdir(), "jsp-bench-"))
const rssFile = join(scratch, "rss")
const run = (command: ReadonlyArray<string>): { readonly ms: number; readonly rssKiB: number | undefined } => {
  const [file, ...args] = time === undefined ? command : [time, "-f", "%M", "-o", rssFile, ...command]
  const start = process.hrtime.bigint()
  const result = spawnSync(file ?? "", args, { cwd: root, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" })
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (result.status !== 0) throw new Error(`${command.join(" ")} exited ${result.status}: ${result.stderr}`)
  const rss = time === undefined ? undefined : Number(readFileSync(rssFile, "utf8").trim().split("\n").at(-1))
  return { ms, rssKiB: rss }
}

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] ?? NaN : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2
}

try {
  for (const c of cases) run(c.command) // warm up: file cache, V8's compile cache
  const samples = new Map(cases.map((c) => [c.name, { ms: [] as Array<number>, rss: [] as Array<number> }]))
  for (let round = 0; round < rounds; round++) {
    // Rotate the order, so that no command always follows the same one.
    for (let i = 0; i < cases.length; i++) {
      const c = cases[(round + i) % cases.length]
      if (c === undefined) continue
      const { ms, rssKiB } = run(c.command)
      const s = samples.get(c.name)
      s?.ms.push(ms)
      if (rssKiB !== undefined) s?.rss.push(rssKiB)
    }
  }
  const base = median(samples.get("node -e 0")?.ms ?? [])
  console.log(`jsp start-up: ${rounds} rounds, medians; node ${spawnSync(node, ["--version"], { encoding: "utf8" }).stdout.trim()} at ${node}`)
  console.log(`${"command".padEnd(16)} ${"median".padStart(9)} ${"× node".padStart(7)} ${"max RSS".padStart(10)}  targets`)
  let missed = 0
  for (const c of cases) {
    const s = samples.get(c.name)
    const ms = median(s?.ms ?? [])
    const ratio = ms / base
    const rssMiB = s === undefined || s.rss.length === 0 ? undefined : Math.max(...s.rss) / 1024
    const verdicts: Array<string> = []
    if (c.maxRatio !== undefined) {
      const met = ratio <= c.maxRatio
      if (!met) missed++
      verdicts.push(`≤ ${c.maxRatio}× node: ${met ? "met" : "MISSED"}`)
      if (rssMiB !== undefined) {
        const rssMet = rssMiB <= maxRssMiB
        if (!rssMet) missed++
        verdicts.push(`≤ ${maxRssMiB} MiB: ${rssMet ? "met" : "MISSED"}`)
      }
    }
    console.log(`${c.name.padEnd(16)} ${`${ms.toFixed(0)} ms`.padStart(9)} ${ratio.toFixed(2).padStart(7)} ${(rssMiB === undefined ? "n/a" : `${rssMiB.toFixed(0)} MiB`).padStart(10)}  ${verdicts.join(", ")}`)
  }
  console.log(missed === 0 ? "start-up targets: all met" : `start-up targets: ${missed} MISSED`)
} finally {
  rmSync(scratch, { recursive: true, force: true })
}
