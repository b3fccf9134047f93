// `jsp serve` as a real process for the benchmark and the soak: the launcher packages/cli/bin/jsp
// (the bundle when it is fresh), its JSON-lines log in a file, its memory from /proc.
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import { closeSync, openSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { certificate } from "../test/fixture.ts"
import { cpuSecondsOf, type Resident, residentOf } from "./stats.ts"

export const root = fileURLToPath(new URL("../../../", import.meta.url))
const jsp = join(root, "packages/cli/bin/jsp")
const ticksPerSecond = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100

/** Builds the bundle when the sources changed since, so that what is measured is what `jsp` runs. */
export const freshBundle = async (): Promise<void> => {
  const { bundleIsFresh } = await import("../../cli/bin/bundle-fresh.mjs")
  if (bundleIsFresh(join(root, "packages/cli/.bundle"))) return
  console.log("bundle stale: rebuilding it (npx -y pnpm@10 bundle)")
  const built = spawnSync(process.execPath, [join(root, "packages/cli/scripts/bundle.ts")], { cwd: root, stdio: "inherit" })
  if (built.status !== 0) throw new Error("the bundle could not be built")
}

/** A certificate and key for 127.0.0.1 in `dir`. */
export const writeCertificate = async (dir: string) => {
  const pems = await certificate()
  const files = { cert: join(dir, "tls.crt"), key: join(dir, "tls.key") }
  writeFileSync(files.cert, pems.cert)
  writeFileSync(files.key, pems.private)
  return files
}

/** A process serving HTTPS on a loopback port. */
export interface Served {
  readonly pid: number
  readonly port: number
  /** Resident memory now and at its peak. */
  readonly memory: () => Resident
  /** CPU seconds used so far (user + system). */
  readonly cpuSeconds: () => number
  /** SIGTERM, then waits for the exit; throws if it is still there after `ms`. */
  readonly stop: (ms?: number) => Promise<number | null>
}

const gone = (child: ChildProcess, ms: number): Promise<number | null> =>
  new Promise((resolve, reject) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode)
    const timer = setTimeout(() => reject(new Error(`process ${child.pid} still running ${ms} ms after SIGTERM`)), ms)
    child.once("exit", (code) => {
      clearTimeout(timer)
      resolve(code)
    })
  })

/**
 * Starts `command` with its standard output to `logFile` and waits (at most `waitMs`) for the line
 * that says it listens (`{"msg":"listening",…,"port":N}`).
 */
export const startListening = async (command: ReadonlyArray<string>, logFile: string, options: { readonly env?: NodeJS.ProcessEnv; readonly waitMs?: number } = {}): Promise<Served> => {
  const out = openSync(logFile, "w")
  const [file, ...args] = command
  const child = spawn(file ?? "", args, { cwd: root, stdio: ["ignore", out, "pipe"], env: options.env ?? process.env })
  closeSync(out)
  let stderr = ""
  child.stderr?.on("data", (chunk: Buffer) => { stderr += chunk.toString("utf8") })
  const pid = child.pid
  if (pid === undefined) throw new Error(`${file} did not start`)
  const deadline = Date.now() + (options.waitMs ?? 60_000)
  for (;;) {
    const line = readFileSync(logFile, "utf8").split("\n").find((l) => l.includes(`"msg":"listening"`))
    if (line !== undefined) {
      const parsed: unknown = JSON.parse(line)
      const port = typeof parsed === "object" && parsed !== null ? Reflect.get(parsed, "port") : undefined
      if (typeof port !== "number") throw new Error(`no port in ${line}`)
      return {
        pid,
        port,
        memory: () => residentOf(readFileSync(`/proc/${pid}/status`, "utf8")),
        cpuSeconds: () => cpuSecondsOf(readFileSync(`/proc/${pid}/stat`, "utf8"), ticksPerSecond),
        stop: (ms = 15_000) => {
          child.kill("SIGTERM")
          return gone(child, ms)
        }
      }
    }
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${command.join(" ")} exited (${child.exitCode ?? child.signalCode}) before listening: ${stderr}`)
    if (Date.now() > deadline) {
      child.kill("SIGKILL")
      throw new Error(`${command.join(" ")} did not listen within ${options.waitMs ?? 60_000} ms: ${stderr}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** `jsp serve ARGS… --host 127.0.0.1 --port 0`, logging to `logFile`. */
export const startJspServe = (args: ReadonlyArray<string>, tls: { readonly cert: string; readonly key: string }, logFile: string, env?: NodeJS.ProcessEnv) =>
  startListening([jsp, "serve", ...args, "--tls-cert", tls.cert, "--tls-key", tls.key, "--host", "127.0.0.1", "--port", "0"], logFile, env === undefined ? {} : { env })
