import { type ChildProcess, spawn } from "node:child_process"
import { randomUUID } from "node:crypto"
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { request } from "node:https"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { examplePod, reviewOf, type TlsFixture, tlsFixture } from "../../server/test/fixture.ts"
import { jsp, root } from "./harness.ts"

const scratch = mkdtempSync(join(tmpdir(), "jsp-serve-"))
let tls: TlsFixture
beforeAll(async () => {
  tls = await tlsFixture("jsp-serve-")
})
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true })
  rmSync(tls.dir, { recursive: true, force: true })
})

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return !readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z ")
  } catch {
    return false
  }
}

const processesWith = (marker: string): ReadonlyArray<number> =>
  readdirSync("/proc").filter((d) => /^\d+$/u.test(d)).flatMap((d) => {
    try {
      return readFileSync(`/proc/${d}/cmdline`, "utf8").includes(marker) ? [Number(d)] : []
    } catch {
      return []
    }
  })

interface Served {
  readonly child: ChildProcess
  readonly port: number
  readonly lines: Array<string>
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/** `jsp serve` through a launcher (default node_modules/.bin/jsp, which execs the real Node), once it says it listens. */
const startServe = async (marker: string, launcher: ReadonlyArray<string> = [`${root}node_modules/.bin/jsp`]): Promise<Served> => {
  const child = spawn(launcher[0] ?? "", [...launcher.slice(1),
    "serve", "--config", "examples/config", "--tls-cert", tls.cert, "--tls-key", tls.key, "--host", "127.0.0.1", "--port", "0", "--configmap", marker
  ], { cwd: root, stdio: ["ignore", "pipe", "pipe"] })
  const lines: Array<string> = []
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })))
  const port = await new Promise<number>((resolve, reject) => {
    let buffer = ""
    const timer = setTimeout(() => reject(new Error(`jsp serve did not say it listens: ${lines.join("\n")}`)), 20_000)
    child.stdout?.on("data", (chunk: Buffer) => {
      buffer += chunk.toString("utf8")
      const parts = buffer.split("\n")
      buffer = parts.pop() ?? ""
      for (const line of parts) {
        lines.push(line)
        const parsed: unknown = JSON.parse(line)
        if (typeof parsed === "object" && parsed !== null && Reflect.get(parsed, "msg") === "listening") {
          clearTimeout(timer)
          resolve(Number(Reflect.get(parsed, "port")))
        }
      }
    })
    child.stderr?.on("data", (chunk: Buffer) => lines.push(chunk.toString("utf8")))
    void exited.then(() => reject(new Error(`jsp serve exited: ${lines.join("\n")}`)))
  })
  return { child, port, lines, exited }
}

const cleanUp = (marker: string) => {
  const left = processesWith(marker)
  for (const pid of left) process.kill(pid, "SIGKILL")
  return left
}

describe("jsp serve, the process", () => {
  it("finishes a request in flight on SIGTERM, then exits 0 and leaves nothing running", async () => {
    const marker = `jsp-serve-${randomUUID()}`
    const served = await startServe(marker)
    try {
      const body = JSON.stringify(reviewOf(examplePod()))
      // Half the request is sent, then the signal, then the rest: it must still be answered.
      const answer = new Promise<number>((resolve, reject) => {
        const req = request({ host: "127.0.0.1", port: served.port, method: "POST", path: "/mutate", ca: tls.ca, servername: "localhost", agent: false,
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
          res.resume()
          res.on("end", () => resolve(res.statusCode ?? 0))
        })
        req.on("error", reject)
        req.write(body.slice(0, 100))
        setTimeout(() => {
          served.child.kill("SIGTERM")
          setTimeout(() => req.end(body.slice(100)), 300)
        }, 200)
      })
      expect(await answer).toBe(200)
      expect(await served.exited).toEqual({ code: 0, signal: null })
      expect(alive(served.child.pid ?? 0)).toBe(false)
    } finally {
      expect(cleanUp(marker)).toEqual([])
    }
  })

  it("ends when SIGTERM ends the npx that ran `npx -y pnpm@10 exec jsp serve`", async () => {
    const marker = `jsp-serve-${randomUUID()}`
    const served = await startServe(marker, ["npx", "-y", "pnpm@10", "exec", "jsp"])
    try {
      served.child.kill("SIGTERM")
      // npx passes it to pnpm's shell only: jsp sees the package manager it runs under gone and drains.
      const deadline = Date.now() + 15_000
      while (processesWith(marker).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100))
      expect(processesWith(marker)).toEqual([])
    } finally {
      expect(cleanUp(marker)).toEqual([])
    }
  }, 60_000)

  it("runs Node with the heap flags of a long-lived server (bin/jsp), which a short command does without", async () => {
    const marker = `jsp-serve-${randomUUID()}`
    const served = await startServe(marker)
    try {
      const argv = readFileSync(`/proc/${served.child.pid ?? 0}/cmdline`, "utf8").split("\0")
      expect(argv).toEqual(expect.arrayContaining(["--max-semi-space-size=2", "--heap-growing-percent=25", "--expose-gc"]))
      expect(argv.indexOf("--max-semi-space-size=2")).toBeLessThan(argv.findIndex((a) => a.endsWith("jsp.mjs")))
      expect(readFileSync(`/proc/${served.child.pid ?? 0}/environ`, "utf8").split("\0")).toContain("MALLOC_ARENA_MAX=2")
      served.child.kill("SIGTERM")
      expect(await served.exited).toEqual({ code: 0, signal: null })
    } finally {
      expect(cleanUp(marker)).toEqual([])
    }
  })

  it("exits 0 on SIGINT", async () => {
    const marker = `jsp-serve-${randomUUID()}`
    const served = await startServe(marker)
    try {
      served.child.kill("SIGINT")
      expect(await served.exited).toEqual({ code: 0, signal: null })
    } finally {
      expect(cleanUp(marker)).toEqual([])
    }
  })
})

describe("jsp serve, its flags", () => {
  it("refuses what cannot work before it listens", async () => {
    const short = join(scratch, "short-token")
    writeFileSync(short, "abc\n")
    const cases: ReadonlyArray<{ args: ReadonlyArray<string>; code: number; says: RegExp }> = [
      { args: ["--config", "examples/config", "--tls-key", tls.key], code: 2, says: /tls-cert/u },
      { args: ["--config", "examples/config", "--tls-cert", join(scratch, "none.crt"), "--tls-key", tls.key], code: 3, says: /none\.crt/u },
      { args: ["--config", "examples/config", "--tls-cert", tls.cert, "--tls-key", tls.key, "--port", "70000"], code: 2, says: /--port 70000/u },
      { args: ["--config", "examples/config", "--tls-cert", tls.cert, "--tls-key", tls.key, "--api-token-file", short], code: 2, says: /at least 16/u },
      { args: ["--tls-cert", tls.cert, "--tls-key", tls.key, "--source", "file"], code: 2, says: /no configuration/u }
    ]
    for (const { args, code, says } of cases) {
      const run = await jsp(["serve", ...args])
      expect(run.code, run.stderr).toBe(code)
      expect(run.stderr).toMatch(says)
    }
  })
})
