import {
  combineDocuments,
  type ConfigMapView,
  ConfigSource,
  defaultConfigMapNames,
  documentOf,
  type InvalidDocument,
  lintDocuments,
  parseRawDocument,
  readUserSettings,
  type SourcedDocument
} from "@jsp/core"
import { loadPath } from "@jsp/file-adapter"
import { Console, Effect, Result } from "effect"
import { CliFailure, ExitCode } from "./failure.ts"
import { clusterOf, namesOf, type SourceFlags } from "./sources.ts"

const userSettingsPrefix = "jupyterhub-singleuser-profile-"

// Users' own settings are checked as a spawn reads them: their problems are warnings, never errors.
const userSettingsWarnings = (configMaps: ReadonlyArray<ConfigMapView>, documents: ReadonlyArray<SourcedDocument>): ReadonlyArray<string> => {
  const ui = combineDocuments(documents).ui
  return configMaps.filter((cm) => cm.name.startsWith(userSettingsPrefix)).flatMap((cm) => {
    const document = documentOf(cm, defaultConfigMapNames.userSettingsKey)
    if (document === undefined) return []
    const raw = parseRawDocument(document)
    if (Result.isFailure(raw)) return [raw.failure.message]
    // The ConfigMap's name holds the user name escaped; the Secret's name is derived from the same escape.
    return readUserSettings(raw.success.source, raw.success.content, { user: cm.name.slice(userSettingsPrefix.length), ui, ownSecret: `${cm.name}-envs` }).warnings
  })
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`

/** Prints warnings and problems; fails with exit code 1 when there is any problem, else prints the summary. */
const report = Effect.fn("report")(function*(documents: ReadonlyArray<SourcedDocument>, errors: ReadonlyArray<InvalidDocument>, warnings: ReadonlyArray<string>) {
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

/** Validates the configuration ConfigMaps of the cluster, every version as it is now. */
export const validateCluster = Effect.fn("validateCluster")(function*(flags: SourceFlags) {
  // The cluster adapter (with @kubernetes/client-node) is loaded only when the cluster is used.
  const { ClusterConfigSource, ClusterSourceStatus } = yield* Effect.promise(() => import("@jsp/k8s-adapter"))
  const cluster = yield* clusterOf(flags)
  const reports: Array<string> = []
  const { documents, warnings, states, views } = yield* Effect.gen(function*() {
    const loaded = yield* ConfigSource.use((source) => source.documents)
    const status = yield* ClusterSourceStatus.use(Effect.succeed)
    return { ...loaded, states: status.state().configMaps, views: status.configMaps() }
  }).pipe(
    Effect.provide(ClusterConfigSource(cluster, { watch: false, report: (m) => reports.push(m), names: yield* namesOf(flags) })),
    Effect.mapError((e) => new CliFailure({ text: e.message, code: ExitCode.unavailable, cause: e }))
  )
  const lint = lintDocuments(documents)
  const rejected = states.flatMap((s) => s.rejected?.errors ?? [])
  // Rejected versions are errors here, not warnings; the source's reports repeat some warnings.
  const notices = [
    ...reports.filter((r) => !r.includes(" rejected; ")),
    ...warnings.filter((w) => !/ is invalid; /u.test(w)),
    ...lint.warnings,
    ...userSettingsWarnings(views, documents)
  ]
  yield* report(documents, [...rejected, ...lint.errors], [...new Set(notices)])
})

/** Validates every path; prints one line per problem and fails with exit code 1 when any document is invalid. */
export const validatePaths = Effect.fn("validatePaths")(function*(paths: ReadonlyArray<string>, flags: SourceFlags) {
  const names = yield* namesOf(flags)
  const loaded = yield* Effect.forEach(paths, (path) =>
    loadPath(path, names).pipe(Effect.mapError((e) => new CliFailure({ text: e.message, code: ExitCode.unavailable, cause: e }))))
  const documents = loaded.flatMap((l) => l.documents)
  const lint = lintDocuments(documents)
  const errors: ReadonlyArray<InvalidDocument> = [...loaded.flatMap((l) => l.errors), ...lint.errors]
  const warnings = [...loaded.flatMap((l) => l.warnings), ...lint.warnings, ...userSettingsWarnings(loaded.flatMap((l) => l.configMaps), documents)]
  yield* report(documents, errors, warnings)
})
