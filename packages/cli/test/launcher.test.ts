import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import { randomUUID } from "node:crypto"
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, describe, expect, it } from "vitest"
import { bundleIsFresh } from "../bin/bundle-fresh.mjs"
import { buildBundle } from "../scripts/bundle.ts"

const root = fileURLToPath(new URL("../../../", import.meta.url))
const node = `${root}node_modules/node/bin/node`
const scratch = mkdtempSync(join(tmpdir(), "jsp-launcher-"))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

/** The processes whose command line holds `marker`, read from /proc. */
const processesWith = (marker: string): ReadonlyArray<{ readonly pid: number; readonly argv: ReadonlyArray<string> }> =>
  readdirSync("/proc").filter((d) => /^\d+$/u.test(d)).flatMap((d) => {
    try {
      const argv = readFileSync(`/proc/${d}/cmdline`, "utf8").split("\0").filter((a) => a !== "")
      return argv.some((a) => a.includes(marker)) ? [{ pid: Number(d), argv }] : []
    } catch {
      return []
    }
  })

const until = async <A>(what: string, check: () => A | undefined, ms = 15_000): Promise<A> => {
  const deadline = Date.now() + ms
  for (;;) {
    const value = check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** The real Node running jsp with this marker, once the launchers have handed over to it. */
const realNode = (marker: string) => until("jsp's Node process", () =>
  processesWith(marker).find((p) => p.argv[0]?.endsWith("/node") === true && p.argv[1]?.endsWith("/bin/jsp.mjs") === true))

/**
 * Waits until the process sleeps without using CPU for a while: started, and waiting (here, on its
 * standard input), so that a signal meets the program, not its start.
 */
const settled = async (pid: number): Promise<void> => {
  let last = ""
  let still = 0
  await until("jsp waiting on its input", () => {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    const ticks = `${fields[11]} ${fields[12]}` // utime, stime
    still = fields[0] === "S" && ticks === last ? still + 1 : 0
    last = ticks
    return still >= 6 ? true : undefined
  })
}

/** Starts jsp waiting on standard input (`--pod -`), with a marker to find its processes by. */
const startWaitingJsp = (command: ReadonlyArray<string>, marker: string): ChildProcess =>
  spawn(command[0] ?? "", [...command.slice(1), "apply", "--config", "examples/config", "--pod", "-", "--user", marker], { cwd: root, stdio: ["pipe", "ignore", "ignore"] })

/** Ends whatever is left with the marker (a failed test must not leave processes) and says what was left. */
const cleanUp = (marker: string): ReadonlyArray<string> => {
  const left = processesWith(marker)
  for (const p of left) {
    try {
      process.kill(p.pid, "SIGKILL")
    } catch {
      // gone meanwhile
    }
  }
  return left.map((p) => p.argv.join(" "))
}

describe("bin/jsp", () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`is the real Node process, which ${signal} ends (node_modules/.bin/jsp)`, async () => {
      const marker = `jsp-test-${randomUUID()}`
      const child = startWaitingJsp([`${root}node_modules/.bin/jsp`], marker)
      const exited = new Promise<unknown>((resolve) => child.on("exit", (code, sig) => resolve(sig ?? code)))
      try {
        const jsp = await realNode(marker)
        expect(jsp.pid).toBe(child.pid)
        await settled(jsp.pid)
        child.kill(signal)
        await exited
        await until("no process left", () => processesWith(marker).length === 0 ? true : undefined, 10_000)
      } finally {
        child.stdin?.destroy()
        expect(cleanUp(marker)).toEqual([])
      }
    })
  }

  it("ends when SIGTERM ends the npx that ran `npx -y pnpm@10 exec jsp`, as the README runs it", async () => {
    const marker = `jsp-test-${randomUUID()}`
    const npx = startWaitingJsp(["npx", "-y", "pnpm@10", "exec", "jsp"], marker)
    try {
      await settled((await realNode(marker)).pid)
      npx.kill("SIGTERM")
      // npx passes it to pnpm's shell only: jsp sees the package manager it runs under gone and ends.
      await until("no process left", () => processesWith(marker).length === 0 ? true : undefined, 10_000)
    } finally {
      npx.stdin?.destroy()
      expect(cleanUp(marker)).toEqual([])
    }
  }, 60_000)
})

describe("the bundle", () => {
  it("runs only while every workspace file it was built from is unchanged", () => {
    const dir = join(scratch, "fresh")
    const source = join(scratch, "source.ts")
    writeFileSync(source, "export const a = 1\n")
    const record = () => {
      const stat = statSync(source)
      writeFileSync(join(dir, "manifest.json"), JSON.stringify({ inputs: [{ path: "../source.ts", mtimeMs: stat.mtimeMs, size: stat.size }] }))
    }
    rmSync(dir, { recursive: true, force: true })
    expect(bundleIsFresh(dir)).toBe(false) // no bundle
    mkdirSync(dir, { recursive: true })
    record()
    expect(bundleIsFresh(dir)).toBe(true)
    utimesSync(source, new Date(), new Date(Date.now() + 5_000)) // edited, even to the same size
    expect(bundleIsFresh(dir)).toBe(false)
    record()
    writeFileSync(source, "export const a = 22\n")
    expect(bundleIsFresh(dir)).toBe(false)
    record()
    rmSync(source)
    expect(bundleIsFresh(dir)).toBe(false) // a file it was built from is gone
  })

  it("prints what the sources print", async () => {
    const dir = join(scratch, "bundle")
    const inputs = await buildBundle(dir)
    expect(inputs).toContain("packages/cli/src/main.ts")
    expect(inputs).toContain("packages/core/src/index.ts")
    expect(inputs.some((f) => f.includes("node_modules"))).toBe(false)
    expect(bundleIsFresh(dir)).toBe(true)
    const options = { cwd: root, encoding: "utf8", timeout: 30_000, env: { ...process.env, KUBECONFIG: "" } } as const
    // A user name that needs a hash in its label: node:crypto, loaded lazily in the bundle.
    const apply = ["apply", "--config", "examples/config", "--pod", "examples/pod.yaml", "--user", "Alice.O'Brien@example.com", "--output", "yaml"]
    for (const args of [["--help"], apply]) {
      const bundled = spawnSync(node, [join(dir, "main.mjs"), ...args], options)
      const sources = spawnSync(node, [`${root}packages/cli/src/main.ts`, ...args], options)
      expect({ code: bundled.status, stdout: bundled.stdout, stderr: bundled.stderr }).toEqual({ code: sources.status, stdout: sources.stdout, stderr: sources.stderr })
      expect(bundled.status).toBe(0)
    }
    // The cluster adapter: a chunk of its own, loaded on first use.
    const cluster = spawnSync(node, [join(dir, "main.mjs"), "sizes", "--server", "http://127.0.0.1:9", "--token", "t"], options)
    expect({ code: cluster.status, stderr: cluster.stderr }).toEqual({ code: 3, stderr: expect.stringMatching(/^jsp: cluster http:\/\/127\.0\.0\.1:9 .*cannot reach the API server/u) })
  }, 60_000)
})
