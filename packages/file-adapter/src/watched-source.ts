import { combineDocuments, type Configuration, type ConfigMapNames, type LoadedConfiguration, noConfigurationWarning, storedUserSettingsOf } from "@jsp/core"
import { Cause, Effect } from "effect"
import { findConfigMapKey, settingsReader } from "./config-map-lookups.ts"
import { type LoadedPath, problemsOf } from "./file-documents.ts"
import type { FileSourceOptions } from "./config-source.ts"
import { type Note, WatchedFiles } from "./watched-files.ts"

const logNote = (note: Note) => note.level === "info" ? Effect.logInfo(note.message) : Effect.logWarning(note.message)

/**
 * The files read at once and then polled until the layer's scope closes: each file's last good
 * version stays in force, so the configuration never fails once the paths could be read.
 */
export const watchFiles = Effect.fnUntraced(function*(options: FileSourceOptions, names: ConfigMapNames, where: string, intervalMs: number) {
  const files = new WatchedFiles(options.paths, names, problemsOf)
  // Templates are read for their ConfigMaps only: only a file that cannot be parsed is rejected.
  const templates = new WatchedFiles(options.templates ?? [], names, (file) => file.errors)
  const poll = Effect.gen(function*() {
    const notes: Array<Note> = []
    yield* files.poll(notes)
    yield* templates.poll(notes)
    yield* Effect.forEach(notes, logNote, { discard: true })
  })
  yield* poll
  // A path that cannot be read at start is a mistake to report now, not a source to wait for.
  const failed = files.pathFailure() ?? templates.pathFailure()
  if (failed !== undefined) return yield* failed
  // A fiber of the layer's scope: interrupted (its timer cleared) when the scope closes.
  yield* Effect.forkScoped(Effect.forever(Effect.andThen(
    Effect.sleep(intervalMs),
    Effect.catchCause(poll, (cause) => Effect.logError(`polling ${where} failed; it goes on\n${Cause.pretty(cause)}`))
  )))
  let combined: { readonly loaded: LoadedPath; readonly configuration: Configuration } | undefined
  let snapshot: { readonly generation: number; readonly value: LoadedConfiguration } | undefined
  // Combined once per change of what is in force, so that every spawn shares the configuration's caches.
  const current = (): LoadedConfiguration => {
    if (snapshot !== undefined && snapshot.generation === files.generation) return snapshot.value
    const loaded = files.loaded()
    if (combined?.loaded !== loaded) combined = { loaded, configuration: combineDocuments(loaded.documents) }
    const warnings = [...loaded.warnings, ...files.rejectionWarnings()]
    snapshot = {
      generation: files.generation,
      value: {
        configuration: combined.configuration,
        warnings: loaded.documents.length === 0 ? [...warnings, noConfigurationWarning(where, names, true)] : warnings
      }
    }
    return snapshot.value
  }
  const settings = settingsReader(names)
  return {
    configuration: Effect.sync(current),
    userSettings: (user: string) => Effect.suspend(() => settings(files.loaded().configMaps, user)),
    configMapKey: (name: string, key: string) =>
      Effect.sync(() => findConfigMapKey([...files.loaded().configMaps, ...templates.loaded().configMaps], name, key)),
    inventory: Effect.sync(() => {
      const loaded = files.loaded()
      return {
        where,
        documents: loaded.documents,
        errors: files.problems(),
        warnings: loaded.warnings,
        userSettings: loaded.configMaps.flatMap((cm) => storedUserSettingsOf(cm, names) ?? [])
      }
    }),
    status: Effect.sync(() => {
      const failures = [...files.lastFailures(), ...templates.lastFailures()]
      return {
        where,
        synced: failures.length === 0,
        restarts: 0,
        ...(failures[0] === undefined ? {} : { lastError: failures[0] }),
        documents: [...files.statuses(), ...templates.statuses()]
      }
    })
  }
})
