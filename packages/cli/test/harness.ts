import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { NodeServices } from "@effect/platform-node"
import { Effect } from "effect"
import { TestConsole } from "effect/testing"
import { runJsp } from "../src/run.ts"

/** The repository root (commands' relative paths are relative to it). */
export const root = fileURLToPath(new URL("../../../", import.meta.url))

/** A file next to the tests. */
export const testdata = (name: string) => fileURLToPath(new URL(`./testdata/${name}`, import.meta.url))

/** What a run of `jsp` gave: exit code, standard output, standard error. */
export interface JspRun {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

const text = (lines: ReadonlyArray<unknown>): string =>
  lines.map((line) => Array.isArray(line) ? line.map(String).join(" ") : String(line)).map((line) => `${line}\n`).join("")

/**
 * Runs the command tree in this process, as `jsp ARGS` would (same parsing, same error lines,
 * same exit codes), with its console captured: milliseconds instead of a Node start per command.
 */
export const jsp = (args: ReadonlyArray<string>): Promise<JspRun> =>
  Effect.runPromise(Effect.gen(function*() {
    const code = yield* runJsp(args)
    return { code, stdout: text(yield* TestConsole.logLines), stderr: text(yield* TestConsole.errorLines) }
  }).pipe(Effect.provide([TestConsole.layer, NodeServices.layer])))

/** The project's own Node 24, its binary (pnpm's shim .bin/node would leave it running if killed). */
export const node = `${root}node_modules/node/bin/node`
/** The entry bin/jsp starts: the bundle built on install while it is fresh, else src/main.ts itself. */
export const main = `${root}packages/cli/bin/jsp.mjs`

/** Runs `jsp` as a real process: for what only a process shows (standard input, exit status, the bin). */
export const jspProcess = (args: ReadonlyArray<string>, input?: string): JspRun => {
  const result = spawnSync(node, [main, ...args], { cwd: root, input: input ?? "", encoding: "utf8", timeout: 20_000 })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}
