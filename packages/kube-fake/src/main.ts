#!/usr/bin/env node
// Runs the API-server double as a process, loaded with manifests, for trying `jsp --source cluster`
// without a cluster:  kube-fake --namespace odh --kubeconfig /tmp/kubeconfig examples/config
import { existsSync, readdirSync, readFileSync, renameSync, type Stats, statSync, unlinkSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { parse, parseAllDocuments } from "yaml"
import { watchPackageManagerChain } from "./launcher-watch.ts"
import { defaultResourceTypes } from "./resources.ts"
import { FakeApiServer } from "./server.ts"
import type { KubeObject } from "./store.ts"

const usage = `Usage:
  kube-fake --kubeconfig FILE [--namespace NS] [--pid-file FILE] [PATH...]
  kube-fake --wait FILE [--timeout SECONDS]

Serves the ConfigMaps, Secrets and ImageStreams in the YAML/JSON files PATH (a directory: its
*.yaml, *.yml and *.json files) over HTTP on a free port of 127.0.0.1, until SIGTERM or SIGINT.
When it serves, it writes a kubeconfig for \`jsp --kubeconfig FILE\` (atomically), then prints
one line "kube-fake: serving on URL ..."; it removes that file (and the pid file) when it stops.

Options:
  --kubeconfig FILE   where to write the kubeconfig (required; an existing file is only
                      replaced if kube-fake wrote it and no kube-fake serves it any more)
  --namespace, -n NS  the namespace the objects are served in (default: default)
  --pid-file FILE     write the process id there, for \`kill $(cat FILE)\` (a file holding
                      anything else is not replaced)
  --wait FILE         do not serve: wait until the kube-fake of kubeconfig FILE answers
  --timeout SECONDS   how long --wait waits (default: 60)
  --help, -h          this help

Exit codes: 0 stopped by a signal, or --wait saw it answer; 1 --wait timed out;
2 wrong arguments or unreadable files (one line on stderr).`

const marker = "# written by kube-fake"
// As jsp's own bound: a ConfigMap holds at most 1 MiB.
const maxFileBytes = 8 * 1024 * 1024

class Usage extends Error {}

interface Options {
  readonly kubeconfig?: string
  readonly namespace: string
  readonly pidFile?: string
  readonly wait?: string
  readonly timeoutSeconds: number
  readonly paths: ReadonlyArray<string>
}

const parseArguments = (args: ReadonlyArray<string>): Options | "help" => {
  const values = new Map<string, string>()
  const paths: Array<string> = []
  const names = new Map([["--kubeconfig", "--kubeconfig"], ["--namespace", "--namespace"], ["-n", "--namespace"], ["--pid-file", "--pid-file"], ["--wait", "--wait"], ["--timeout", "--timeout"]])
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? ""
    if (arg === "--help" || arg === "-h") return "help"
    if (arg === "--") {
      paths.push(...args.slice(i + 1))
      break
    }
    if (!arg.startsWith("-") || arg === "-") {
      paths.push(arg)
      continue
    }
    const eq = arg.indexOf("=")
    const name = names.get(eq === -1 ? arg : arg.slice(0, eq))
    if (name === undefined) throw new Usage(`unknown option ${arg}`)
    const value = eq === -1 ? args[++i] : arg.slice(eq + 1)
    if (value === undefined || value === "") throw new Usage(`${name} needs a value`)
    if (values.has(name)) throw new Usage(`${name} given twice`)
    values.set(name, value)
  }
  const timeout = values.get("--timeout")
  const timeoutSeconds = timeout === undefined ? 60 : Number(timeout)
  if (!(timeoutSeconds > 0)) throw new Usage(`--timeout takes a number of seconds, not ${timeout}`)
  const wait = values.get("--wait")
  const kubeconfig = values.get("--kubeconfig")
  if (wait !== undefined) {
    const serving = ["--kubeconfig", "--namespace", "--pid-file"].filter((n) => values.has(n))
    if (serving.length > 0 || paths.length > 0) throw new Usage(`--wait only waits: ${serving.length > 0 ? serving.join(", ") : "paths"} belong to the kube-fake that serves`)
  } else {
    if (timeout !== undefined) throw new Usage("--timeout goes with --wait")
    if (kubeconfig === undefined) throw new Usage("--kubeconfig FILE is required: where to write the kubeconfig for jsp")
  }
  return {
    ...(kubeconfig === undefined ? {} : { kubeconfig }),
    ...(wait === undefined ? {} : { wait }),
    ...(values.has("--pid-file") ? { pidFile: values.get("--pid-file") ?? "" } : {}),
    namespace: values.get("--namespace") ?? "default",
    timeoutSeconds,
    paths
  }
}

const errorCode = (e: unknown): string | undefined => {
  const code: unknown = typeof e === "object" && e !== null ? Reflect.get(e, "code") : undefined
  return typeof code === "string" ? code : undefined
}
const reasons: Partial<Record<string, string>> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  ELOOP: "too many levels of symbolic links",
  ENOTDIR: "a part of the path is not a directory"
}
const unreadable = (path: string, e: unknown) => new Usage(`${path}: ${reasons[errorCode(e) ?? ""] ?? (e instanceof Error ? e.message : String(e))}`)

const kindOf = (stat: Stats): string =>
  stat.isFIFO() ? "a FIFO" : stat.isCharacterDevice() ? "a character device" : stat.isBlockDevice() ? "a block device" : stat.isSocket() ? "a socket" : stat.isDirectory() ? "a directory" : "not a regular file"

/** Regular files only, at most 8 MiB, as jsp reads them; a directory gives its own document files. */
const filesOf = (path: string): ReadonlyArray<string> => {
  let stat: Stats
  try {
    stat = statSync(path)
  } catch (e) {
    throw unreadable(path, e)
  }
  if (!stat.isDirectory()) return [path]
  try {
    return readdirSync(path).filter((f) => /\.(ya?ml|json)$/iu.test(f)).sort().map((f) => join(path, f))
  } catch (e) {
    throw unreadable(path, e)
  }
}

const readManifests = (file: string): ReadonlyArray<unknown> => {
  let text
  try {
    const stat = statSync(file)
    if (!stat.isFile()) throw new Usage(`${file}: is ${kindOf(stat)}, not a regular file`)
    if (stat.size > maxFileBytes) throw new Usage(`${file}: larger than 8 MiB`)
    text = new TextDecoder("utf-8", { fatal: true }).decode(readFileSync(file))
  } catch (e) {
    if (e instanceof TypeError) throw new Usage(`${file}: not valid UTF-8`)
    throw e instanceof Usage ? e : unreadable(file, e)
  }
  const documents = parseAllDocuments(text, { logLevel: "error" })
  const values: Array<unknown> = []
  for (const document of Array.isArray(documents) ? documents : []) {
    const error = document.errors[0]
    if (error !== undefined) throw new Usage(`${file}: ${error.message.split("\n")[0] ?? ""}`)
    try {
      values.push(document.toJS())
    } catch (e) {
      throw new Usage(`${file}: ${e instanceof Error ? e.message : String(e)}`)
    }
  }
  return values
}

/** Writes through a temporary file and a rename: a reader sees the whole file or none. */
const writeAtomically = (path: string, text: string): void => {
  const temporary = `${path}.${process.pid}.tmp`
  try {
    writeFileSync(temporary, text)
    renameSync(temporary, path)
  } catch (e) {
    throw unreadable(path, e)
  }
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return errorCode(e) === "EPERM"
  }
}

/** Refuses to replace a file kube-fake did not write, or the kubeconfig of a kube-fake still serving. */
// What is at a path kube-fake is about to write: nothing, or its text.
const existingText = (path: string): string | undefined => {
  if (!existsSync(path)) return undefined
  try {
    return readFileSync(path, "utf8")
  } catch (e) {
    throw unreadable(path, e)
  }
}

const checkReplaceable = (path: string): void => {
  const text = existingText(path)
  if (text === undefined) return
  const owner = new RegExp(`^${marker} \\(pid (\\d+)\\)`, "u").exec(text)
  if (owner === null) throw new Usage(`${path} exists and was not written by kube-fake; not replaced (give another --kubeconfig)`)
  const pid = Number(owner[1])
  if (pid !== process.pid && isAlive(pid)) throw new Usage(`${path} belongs to the kube-fake still running as pid ${pid}; stop it first (kill ${pid})`)
}

/** A pid file is replaced only if it holds nothing but a process id. */
const checkPidFile = (path: string): void => {
  const text = existingText(path)
  if (text === undefined) return
  if (!/^\d+\n?$/u.test(text)) throw new Usage(`${path} exists and is not a pid file; not replaced (give another --pid-file)`)
}

const serve = async (options: Options & { readonly kubeconfig: string }) => {
  const objects = options.paths.flatMap(filesOf).map((file) => ({ file, documents: readManifests(file) }))
  checkReplaceable(options.kubeconfig)
  if (options.pidFile !== undefined) checkPidFile(options.pidFile)
  const fake = await FakeApiServer.start({ token: "kube-fake" })
  for (const { file, documents } of objects) {
    for (const object of documents) {
      if (typeof object !== "object" || object === null || Array.isArray(object)) continue
      const items: ReadonlyArray<unknown> = Reflect.get(object, "kind") === "List" ? Reflect.get(object, "items") ?? [] : [object]
      for (const item of items) {
        if (typeof item !== "object" || item === null) continue
        const type = defaultResourceTypes.find((t) => t.kind === Reflect.get(item, "kind"))
        if (type === undefined) console.error(`kube-fake: ${file}: ${String(Reflect.get(item, "kind"))} is not served; skipped`)
        else fake.put(type, options.namespace, Object.fromEntries(Object.entries(item)) satisfies KubeObject)
      }
    }
  }
  // What it wrote goes when it stops (however it exits): a kubeconfig of a stopped server misleads.
  const written: Array<string> = []
  process.on("exit", () => {
    for (const file of written) {
      try {
        unlinkSync(file)
      } catch {
        // already gone
      }
    }
  })
  try {
    if (options.pidFile !== undefined) {
      writeAtomically(options.pidFile, `${process.pid}\n`)
      written.push(options.pidFile)
    }
    writeAtomically(options.kubeconfig, `${marker} (pid ${process.pid}); removed when it stops\n${fake.kubeconfig(options.namespace, "kube-fake")}`)
    written.push(options.kubeconfig)
  } catch (e) {
    await fake.stop()
    throw e
  }
  // Under `npx pnpm exec kube-fake`, SIGTERM to npx does not reach this process: stop when npx is
  // gone. Before saying it serves: whoever waits for that line may then stop npx.
  watchPackageManagerChain()
  console.log(`kube-fake: serving on ${fake.url}, namespace ${options.namespace}, ${objects.length} file(s) loaded; kubeconfig written to ${options.kubeconfig} (stop: kill ${process.pid}, or Ctrl+C)`)
  return fake
}

const field = (value: unknown, ...path: ReadonlyArray<string | number>): unknown =>
  path.reduce<unknown>((v, key) => (typeof v === "object" && v !== null ? Reflect.get(v, key) : undefined), value)

/** Waits until the server named in a kubeconfig kube-fake wrote answers with its token. */
const waitFor = async (path: string, timeoutSeconds: number): Promise<boolean> => {
  const deadline = Date.now() + timeoutSeconds * 1000
  while (Date.now() < deadline) {
    try {
      const config: unknown = parse(readFileSync(path, "utf8"))
      const server = field(config, "clusters", 0, "cluster", "server")
      const token = field(config, "users", 0, "user", "token")
      if (typeof server === "string" && typeof token === "string") {
        const response = await fetch(`${server}/api`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(1000) })
        if (response.ok) return true
      }
    } catch {
      // not written yet, or not answering yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return false
}

const fail = (message: string, code: number): never => {
  process.stderr.write(`kube-fake: ${message}\n`)
  process.exit(code)
}

let options: Options | "help"
try {
  options = parseArguments(process.argv.slice(2))
} catch (e) {
  options = fail(`${e instanceof Error ? e.message : String(e)} (kube-fake --help for usage)`, 2)
}
if (options === "help") {
  console.log(usage)
  process.exit(0)
}
if (options.wait !== undefined) {
  if (await waitFor(options.wait, options.timeoutSeconds)) process.exit(0)
  fail(`no kube-fake answered at the server of ${options.wait} within ${options.timeoutSeconds} s`, 1)
}
const fake = await serve({ ...options, kubeconfig: options.kubeconfig ?? "" }).catch((e: unknown) =>
  e instanceof Usage ? fail(e.message, 2) : fail(e instanceof Error ? e.message : String(e), 1))
const stop = () => void fake.stop().then(() => process.exit(0))
process.on("SIGINT", stop)
process.on("SIGTERM", stop)
