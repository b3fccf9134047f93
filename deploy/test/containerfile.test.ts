// The Containerfile cannot be built here (no container engine): what it relies on is checked
// instead. The Node and pnpm it uses are the project's pinned ones, what it copies exists, the
// bundle it runs is what packages/cli/scripts/bundle.ts builds and runs with no node_modules around
// it, and it serves on the Deployment's port with the Deployment's arguments.
import { execFileSync } from "node:child_process"
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, relative } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { parse } from "yaml"
import { bundleDir } from "../../packages/cli/scripts/bundle.ts"
import { at, objectAt, readManifests, root, stringsAt } from "./manifests.ts"

interface Instruction {
  readonly line: number
  readonly keyword: string
  readonly args: string
}

/** The flags packages/cli/bin/jsp gives `jsp serve` (its `heap=` assignment). */
const serveHeapFlags = (): ReadonlyArray<string> =>
  /^ *heap="([^"]+)"/mu.exec(readFileSync(join(root, "packages/cli/bin/jsp"), "utf8"))?.[1]?.split(" ") ?? ["(none found in bin/jsp)"]

/** The Containerfile's instructions, continuation lines joined, comments dropped. */
const instructions = (text: string): ReadonlyArray<Instruction> => {
  const result: Array<Instruction> = []
  let pending: { line: number; text: string } | undefined
  text.split("\n").forEach((raw, index) => {
    if (raw.trim().startsWith("#") || (pending === undefined && raw.trim() === "")) return
    const continued = raw.endsWith("\\")
    const part = continued ? raw.slice(0, -1) : raw
    pending = pending === undefined ? { line: index + 1, text: part } : { line: pending.line, text: `${pending.text} ${part.trim()}` }
    if (continued) return
    const match = /^(\S+)\s+(.*)$/su.exec(pending.text.trim())
    if (match?.[1] === undefined || match[2] === undefined) throw new Error(`Containerfile line ${pending.line}: not an instruction`)
    result.push({ line: pending.line, keyword: match[1].toUpperCase(), args: match[2].trim() })
    pending = undefined
  })
  return result
}

const containerfile = instructions(readFileSync(join(root, "Containerfile"), "utf8"))
const all = (keyword: string) => containerfile.filter((i) => i.keyword === keyword)
const only = (keyword: string): Instruction => {
  const found = all(keyword)
  if (found.length !== 1) throw new Error(`Containerfile: expected one ${keyword}, found ${found.length}`)
  return found[0] ?? { line: 0, keyword, args: "" }
}
/** An exec-form (JSON) argument list. */
const execForm = (instruction: Instruction): ReadonlyArray<string> => {
  const value: unknown = JSON.parse(instruction.args)
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) throw new Error(`Containerfile line ${instruction.line}: ${instruction.keyword} is not in exec form`)
  return value
}

const packageJson: unknown = JSON.parse(readFileSync(join(root, "package.json"), "utf8"))
const container = objectAt(readManifests("deploy/base/deployment.yaml")[0], "spec", "template", "spec", "containers", 0)

const scratch = mkdtempSync(join(tmpdir(), "jsp-image-"))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe("Containerfile", () => {
  it("builds on the pinned Node with the pinned pnpm, from the lockfile", () => {
    const nodeVersion = at(packageJson, "devDependencies", "node")
    expect(only("ARG").args).toBe(`NODE_VERSION=${String(nodeVersion)}`)
    const workspace: unknown = parse(readFileSync(join(root, "pnpm-workspace.yaml"), "utf8"))
    expect(at(workspace, "nodeVersion")).toBe(nodeVersion)
    const froms = all("FROM").map((i) => i.args)
    expect(froms).toHaveLength(2)
    for (const from of froms) expect(from).toMatch(/^docker\.io\/library\/node:\$\{NODE_VERSION\}-bookworm-slim\b/u)
    const pnpm = String(at(packageJson, "packageManager"))
    const runs = all("RUN").map((i) => i.args)
    const pnpmRuns = runs.filter((r) => r.includes("pnpm"))
    expect(pnpmRuns.length).toBeGreaterThan(0)
    for (const run of pnpmRuns) expect(run).toContain(`npx -y ${pnpm} `)
    expect(runs.some((r) => r.includes("install") && r.includes("--frozen-lockfile"))).toBe(true)
  })

  it("copies what exists, and leaves out what an install on the host made", () => {
    const copies = all("COPY").filter((c) => !c.args.startsWith("--from="))
    expect(copies.length).toBeGreaterThan(0)
    for (const copy of copies) {
      const sources = copy.args.split(/\s+/u).slice(0, -1)
      for (const source of sources) expect(existsSync(join(root, source)), `Containerfile line ${copy.line}: ${source}`).toBe(true)
    }
    const ignored = readFileSync(join(root, ".dockerignore"), "utf8").split("\n").map((l) => l.trim())
    for (const pattern of ["**/node_modules", "**/.bundle", ".git"]) expect(ignored).toContain(pattern)
  })

  it("runs Node itself on the bundle the build stage makes; the bundle needs no node_modules", () => {
    const [node, ...args] = execForm(only("ENTRYPOINT"))
    expect(node).toBe("/usr/local/bin/node")
    // The heap flags of `jsp serve`, as the launcher gives them.
    const heapFlags = args.filter((a) => a.startsWith("--"))
    expect(heapFlags).toEqual(serveHeapFlags())
    const [script, ...rest] = args.filter((a) => !a.startsWith("--"))
    expect(rest).toEqual([])
    // The runtime stage takes the bundle's folder from the build stage, whose workdir is /src.
    expect(only("WORKDIR").args).toBe("/src")
    const bundleCopy = all("COPY").find((c) => c.args.startsWith("--from=build "))
    const [, copied, into] = bundleCopy?.args.split(/\s+/u) ?? []
    expect(copied).toBe(`/src/${relative(root, bundleDir)}/`)
    expect(into).toBeDefined()
    expect(script?.startsWith(into ?? "\0")).toBe(true)
    const entry = relative(into ?? "", script ?? "")

    // The bundle the install built (the build stage builds the same), moved where no node_modules
    // is above it. (packages/cli/test/launcher.test.ts checks that it is built from the sources.)
    expect(existsSync(join(bundleDir, entry)), `${relative(root, bundleDir)} has no ${entry}: did the install build the bundle?`).toBe(true)
    const out = join(scratch, "bundle")
    cpSync(bundleDir, out, { recursive: true, filter: (path) => !path.startsWith(join(bundleDir, "cache")) })
    const version = execFileSync(process.execPath, [join(out, entry), "--version"], { cwd: scratch, encoding: "utf8", timeout: 30_000 })
    const cli: unknown = JSON.parse(readFileSync(join(root, "packages/cli/package.json"), "utf8"))
    expect(version.trim()).toBe(`jsp v${String(at(cli, "version"))}`)
  })

  it("serves on the Deployment's port with the Deployment's arguments, as a non-root user", () => {
    expect(only("EXPOSE").args).toBe("8443")
    expect(at(container, "ports")).toEqual([{ name: "https", containerPort: 8443, protocol: "TCP" }])
    expect(execForm(only("CMD"))).toEqual(stringsAt(container, "args"))
    const user = only("USER").args
    expect(user).toMatch(/^\d+(:\d+)?$/u)
    expect(Number(user.split(":")[0])).toBeGreaterThan(0)
  })
})
