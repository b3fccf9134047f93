import { parseYamlDocuments } from "@jsp/core"
import { describeReadError } from "@jsp/file-adapter"
import { Effect, FileSystem, Result } from "effect"
import { stringify } from "yaml"
import { CliFailure, ExitCode } from "./failure.ts"

const readStdin = Effect.tryPromise({
  try: async () => {
    const chunks: Array<Buffer> = []
    for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)))
    return Buffer.concat(chunks).toString("utf8")
  },
  catch: (cause) => new CliFailure({ text: `cannot read standard input: ${String(cause)}`, code: ExitCode.unavailable, cause })
})

/** Reads one YAML or JSON document from a file, or from standard input when the path is `-`. */
export const readDocument = Effect.fn("readDocument")(function*(path: string, what: string) {
  const source = path === "-" ? "<stdin>" : path
  const text = path === "-"
    ? yield* readStdin
    : yield* (yield* FileSystem.FileSystem).readFileString(path).pipe(Effect.mapError((e) =>
      new CliFailure({ text: `cannot read ${what} ${path}: ${describeReadError(e)}`, code: ExitCode.unavailable, cause: e })))
  const parsed = parseYamlDocuments(source, text)
  if (Result.isFailure(parsed)) {
    return yield* new CliFailure({ text: parsed.failure.message, code: ExitCode.invalid })
  }
  const documents = parsed.success.filter((d) => d !== null && d !== undefined)
  if (documents.length !== 1) {
    return yield* new CliFailure({ text: `${source}: expected one ${what} document, found ${documents.length}`, code: ExitCode.invalid })
  }
  return documents[0]
})

/** Output formats of commands that print an object. */
export type OutputFormat = "json" | "yaml"

/**
 * An object as JSON (two-space indent) or YAML text. YAML 1.1, as kubectl and PyYAML read it:
 * strings such as `on`, `no` or `12:30` are quoted, not turned into booleans or numbers.
 */
export const formatOutput = (value: unknown, format: OutputFormat): string =>
  format === "yaml" ? stringify(value, { lineWidth: 0, version: "1.1" }).trimEnd() : JSON.stringify(value, null, 2)
