import { type ChildProcess, spawn } from "node:child_process"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { createServer } from "node:net"
import { fileURLToPath } from "node:url"

export const root = fileURLToPath(new URL("../../../../", import.meta.url))
export const fixtures = fileURLToPath(new URL("./", import.meta.url))

/** What the end-to-end test needs from Debian: JupyterHub 3 with python3-kubernetes, and Chromium. */
export const jupyterhubBin = "/usr/bin/jupyterhub"
export const chromiumBin = "/usr/bin/chromium"

/** A child process, everything it printed, and how it ended. */
export interface Child {
  readonly name: string
  readonly process: ChildProcess
  readonly pid: number
  readonly output: Array<string>
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>
  readonly hasExited: () => boolean
}

/** Starts a process whose output is kept for failure messages. */
export const start = (name: string, command: string, args: ReadonlyArray<string>, options: { cwd: string; env?: NodeJS.ProcessEnv }): Child => {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] })
  if (child.pid === undefined) throw new Error(`${name}: ${command} could not be started`)
  const output: Array<string> = []
  child.stdout.on("data", (chunk: Buffer) => output.push(chunk.toString("utf8")))
  child.stderr.on("data", (chunk: Buffer) => output.push(chunk.toString("utf8")))
  let ended = false
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => {
      ended = true
      resolve({ code, signal })
    }))
  return { name, process: child, pid: child.pid, output, exited, hasExited: () => ended }
}

/** The last lines a process printed, for a failure message. */
export const tail = (child: Child, lines = 40): string => child.output.join("").split("\n").slice(-lines).join("\n")

/** Waits until `check` gives a value, failing with `what` (and the processes' output) after `ms`. */
export const until = async <A>(what: string, check: () => Promise<A | undefined>, ms: number, watch: ReadonlyArray<Child> = []): Promise<A> => {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    const dead = watch.find((c) => c.hasExited())
    if (dead !== undefined) throw new Error(`${dead.name} exited while waiting for ${what}:\n${tail(dead)}`)
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}\n${watch.map((c) => `--- ${c.name}:\n${tail(c)}`).join("\n")}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** A port free on 127.0.0.1 now (for a program that cannot be told to pick one and say which). */
export const freePort = (): Promise<number> => new Promise((resolve, reject) => {
  const server = createServer()
  server.on("error", reject)
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    server.close(() => typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port")))
  })
})

/** Whether a process runs (a zombie does not). */
export const alive = (pid: number): boolean => {
  try {
    return !readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z ")
  } catch {
    return false
  }
}

/** A process's command line, its arguments joined by spaces ("" once it is gone). */
export const commandOf = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ")
  } catch {
    return ""
  }
}

/** The processes whose command line contains `marker` (a temp dir only this run uses). */
export const processesWith = (marker: string): ReadonlyArray<number> =>
  readdirSync("/proc").filter((d) => /^\d+$/u.test(d) && Number(d) !== process.pid).map(Number)
    .filter((pid) => commandOf(pid).includes(marker) && alive(pid))

/** The live children of a process. */
export const childrenOf = (pid: number): ReadonlyArray<number> =>
  readdirSync("/proc").filter((d) => /^\d+$/u.test(d)).flatMap((d) => {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8")
      // The fields after the command (which may hold spaces) in parentheses: state, then ppid.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1])
      return ppid === pid && alive(Number(d)) ? [Number(d)] : []
    } catch {
      return []
    }
  })

/** Stops a process with SIGTERM, waits for it to end (SIGKILL after `ms`), and says how it ended. */
export const stop = async (child: Child, ms = 15_000): Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null; readonly killed: boolean }> => {
  if (!child.hasExited()) child.process.kill("SIGTERM")
  const timer = new Promise<"late">((resolve) => setTimeout(() => resolve("late"), ms).unref())
  const first = await Promise.race([child.exited, timer])
  if (first !== "late") return { ...first, killed: false }
  child.process.kill("SIGKILL")
  return { ...(await child.exited), killed: true }
}

/** Fails unless the Debian packages the test runs are installed: a missing one is a failure, not a skip. */
export const requireInstalled = () => {
  const missing = [
    existsSync(jupyterhubBin) ? [] : [`${jupyterhubBin} (apt-get install jupyterhub python3-kubernetes)`],
    existsSync(chromiumBin) ? [] : [`${chromiumBin} (apt-get install chromium)`]
  ].flat()
  if (missing.length > 0) throw new Error(`the JupyterHub end-to-end test needs ${missing.join(" and ")}; .ci/run installs them`)
}
