import {
  combineDocuments,
  defaultConfigMapNames,
  documentOf,
  type InvalidDocument,
  lintDocuments,
  parseYamlDocuments,
  readUserSettings,
  type SourcedDocument
} from "@jsp/core"
import { loadPath } from "@jsp/file-adapter"
import type { ConfigMapView } from "@jsp/core"
import { Console, Effect, Result } from "effect"
import { CliFailure, ExitCode } from "./failure.ts"

const userSettingsPrefix = "jupyterhub-singleuser-profile-"

// Users' own settings are checked as a spawn reads them: their problems are warnings, never errors.
const userSettingsWarnings = (configMaps: ReadonlyArray<ConfigMapView>, documents: ReadonlyArray<SourcedDocument>): ReadonlyArray<string> => {
  const ui = combineDocuments(documents).ui
  return configMaps.filter((cm) => cm.name.startsWith(userSettingsPrefix)).flatMap((cm) => {
    const document = documentOf(cm, defaultConfigMapNames.userSettingsKey)
    if (document === undefined) return []
    const parsed = parseYamlDocuments(document.source, document.text)
    if (Result.isFailure(parsed)) return [parsed.failure.message]
    return readUserSettings(document.source, parsed.success[0], { user: cm.name.slice(userSettingsPrefix.length), ui }).warnings
  })
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`

/** Validates every path; prints one line per problem and fails with exit code 1 when any document is invalid. */
export const validatePaths = Effect.fn("validatePaths")(function*(paths: ReadonlyArray<string>) {
  const loaded = yield* Effect.forEach(paths, (path) =>
    loadPath(path).pipe(Effect.mapError((e) => new CliFailure({ text: e.message, code: ExitCode.unavailable, cause: e }))))
  const documents = loaded.flatMap((l) => l.documents)
  const lint = lintDocuments(documents)
  const errors: ReadonlyArray<InvalidDocument> = [...loaded.flatMap((l) => l.errors), ...lint.errors]
  const warnings = [...loaded.flatMap((l) => l.warnings), ...lint.warnings, ...userSettingsWarnings(loaded.flatMap((l) => l.configMaps), documents)]
  for (const warning of warnings) yield* Console.error(`warning: ${warning}`)
  if (errors.length > 0) {
    for (const error of errors) yield* Console.error(error.message)
    const count = errors.reduce((n, e) => n + e.problems.length, 0)
    return yield* new CliFailure({ text: `${plural(count, "problem")} found`, code: ExitCode.invalid })
  }
  const profiles = documents.reduce((n, d) => n + (d.document.profiles?.length ?? 0), 0)
  const sizes = documents.reduce((n, d) => n + (d.document.sizes?.length ?? 0), 0)
  yield* Console.log(`valid: ${plural(documents.length, "document")}, ${plural(profiles, "profile")}, ${plural(sizes, "size")}`)
})
