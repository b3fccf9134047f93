import { lintDocuments, readUserSettings, type InvalidDocument, combineDocuments, documentOf, parseYamlDocuments, defaultConfigMapNames } from "@jsp/core"
import { loadPath } from "@jsp/file-adapter"
import { Console, Effect, Result } from "effect"
import { CliFailure, ExitCode } from "./failure.ts"

const userSettingsPrefix = "jupyterhub-singleuser-profile-"

/** Validates every path; prints one line per problem and fails with exit code 1 when any document is invalid. */
export const validatePaths = Effect.fn("validatePaths")(function*(paths: ReadonlyArray<string>) {
  const errors: Array<InvalidDocument> = []
  const warnings: Array<string> = []
  const documents = []
  for (const path of paths) {
    const loaded = yield* loadPath(path).pipe(Effect.mapError((e) => new CliFailure({ text: e.message, code: ExitCode.unavailable, cause: e })))
    errors.push(...loaded.errors)
    warnings.push(...loaded.warnings)
    documents.push(...loaded.documents)
    // Users' own settings are checked like the spawn reads them: problems there are warnings.
    for (const cm of loaded.configMaps.filter((c) => c.name.startsWith(userSettingsPrefix))) {
      const text = documentOf(cm, defaultConfigMapNames.userSettingsKey)
      if (text === undefined) continue
      const parsed = parseYamlDocuments(text.source, text.text)
      if (Result.isFailure(parsed)) warnings.push(parsed.failure.message)
      else warnings.push(...readUserSettings(text.source, parsed.success[0], { user: cm.name.slice(userSettingsPrefix.length), ui: combineDocuments(documents).ui }).warnings)
    }
  }
  const lint = lintDocuments(documents)
  errors.push(...lint.errors)
  warnings.push(...lint.warnings)
  for (const warning of warnings) yield* Console.error(`warning: ${warning}`)
  if (errors.length > 0) {
    for (const error of errors) yield* Console.error(error.message)
    const count = errors.reduce((n, e) => n + e.problems.length, 0)
    return yield* new CliFailure({ text: `${count} problem${count === 1 ? "" : "s"} found`, code: ExitCode.invalid })
  }
  const profiles = documents.reduce((n, d) => n + (d.document.profiles?.length ?? 0), 0)
  const sizes = documents.reduce((n, d) => n + (d.document.sizes?.length ?? 0), 0)
  yield* Console.log(`valid: ${documents.length} document${documents.length === 1 ? "" : "s"}, ${profiles} profiles, ${sizes} sizes`)
})
