import { parseYamlDocuments } from "@jsp/core"
import { readBoundedStream, readBoundedText } from "@jsp/file-adapter"
import { Effect, Result } from "effect"
import { stringify } from "yaml"
import { CliFailure, ExitCode } from "./failure.ts"

/**
 * Reads one YAML or JSON document from a file, or from standard input when the path is `-`: a
 * regular file or standard input of at most 8 MiB (`maxFileBytes`), strict UTF-8.
 */
export const readDocument = Effect.fn("readDocument")(function*(path: string, what: string) {
  const source = path === "-" ? "<stdin>" : path
  const text = yield* (path === "-" ? readBoundedStream(source, process.stdin) : readBoundedText(path)).pipe(Effect.catchTags({
    SourceUnavailable: (e) =>
      Effect.fail(new CliFailure({ text: `cannot read ${what} ${path === "-" ? "from standard input" : path}: ${e.detail}`, code: ExitCode.unavailable, cause: e })),
    InvalidDocument: (e) => Effect.fail(new CliFailure({ text: e.message, code: ExitCode.invalid, cause: e }))
  }))
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
