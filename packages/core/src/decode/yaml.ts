import { Result } from "effect"
import { parseAllDocuments } from "yaml"
import { InvalidDocument, type Problem } from "../errors/errors.ts"

// Aliases expand into copies; a few nested anchors can otherwise expand into gigabytes ("billion laughs").
const maxAliasCount = 100

const firstLine = (message: string): string => (message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/u, "")

/** Parses YAML (or JSON) text into its documents; syntax errors name line and column. */
export const parseYamlDocuments = (source: string, text: string): Result.Result<ReadonlyArray<unknown>, InvalidDocument> => {
  const documents = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true })
  if (!Array.isArray(documents)) return Result.succeed([])
  const problems: Array<Problem> = []
  const values: Array<unknown> = []
  for (const document of documents) {
    for (const error of document.errors) {
      const at = error.linePos?.[0]
      problems.push({ path: at === undefined ? "" : `line ${at.line}, column ${at.col}`, message: firstLine(error.message) })
    }
    if (document.errors.length > 0) continue
    try {
      values.push(document.toJS({ maxAliasCount }))
    } catch (e) {
      problems.push({ path: "", message: e instanceof Error ? e.message : String(e) })
    }
  }
  return problems.length > 0 ? Result.fail(new InvalidDocument({ source, problems })) : Result.succeed(values)
}
