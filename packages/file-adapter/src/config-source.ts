import {
  combineDocuments,
  ConfigSource,
  type ConfigMapNames,
  type DocumentText,
  documentOf,
  defaultConfigMapNames,
  InvalidConfiguration,
  noConfigurationWarning,
  type LoadedConfiguration,
  type RawDocument,
  storedUserSettingsOf,
  parseRawDocument,
  parseYamlDocuments,
  userSettingsConfigMapName
} from "@jsp/core"
import { Effect, FileSystem, Layer, Option, Path, Result } from "effect"
import { readBoundedText } from "./bounded-read.ts"
import { findConfigMapKey, settingsReader } from "./config-map-lookups.ts"
import { combineFiles, concatLoaded, readDocumentFile } from "./file-documents.ts"
import { filesOf } from "./files.ts"
import { classifyDocuments } from "./manifests.ts"
import { watchFiles } from "./watched-source.ts"

/**
 * Reads one path: raw documents first, in the order read (they play the part of the main
 * ConfigMap), then ConfigMaps in the order the cluster gives them (SPEC 1).
 */
export const loadPath = Effect.fn("loadPath")(function*(path: string, names: ConfigMapNames = defaultConfigMapNames) {
  const { files } = yield* filesOf(path)
  return combineFiles(yield* Effect.forEach(files, (file) => readDocumentFile(file, names)), names)
})

/** How often a watching file source polls, unless told otherwise. */
export const defaultPollIntervalMs = 2_000

/** Options of the file source. */
export interface FileSourceOptions {
  /** Configuration paths, read in this order (later wins). */
  readonly paths: ReadonlyArray<string>
  /** A file holding one user's settings (raw document or ConfigMap), read instead of looking them up by name. */
  readonly userSettingsFile?: string | undefined
  readonly names?: ConfigMapNames | undefined
  /** Paths read only for their ConfigMaps' data (services' templates, SPEC 7), after those of `paths`. */
  readonly templates?: ReadonlyArray<string> | undefined
  /**
   * Keep the files watched (servers): every `intervalMs` (default 2 s) each file's `stat` is
   * compared and what changed is read again, the last good version of each file staying in force.
   * Without it the files are read once, when first needed (one-shot commands).
   */
  readonly watch?: { readonly intervalMs?: number | undefined } | undefined
}

/** Reads every path; all problems of all documents are collected before failing. */
export const loadPaths = Effect.fn("loadPaths")(function*(options: FileSourceOptions) {
  return concatLoaded(yield* Effect.forEach(options.paths, (path) => loadPath(path, options.names)))
})

const readUserSettingsFile = Effect.fn("readUserSettingsFile")(function*(file: string, user: string, names: ConfigMapNames) {
  const text = yield* readBoundedText(file)
  const parsed = yield* Effect.fromResult(parseYamlDocuments(file, text))
  const contents = classifyDocuments(file, parsed)
  // A file given explicitly is the user's settings whatever its ConfigMap is called.
  const configMap = contents.configMaps.find((cm) => cm.name === userSettingsConfigMapName(user)) ?? contents.configMaps[0]
  if (configMap === undefined) return Option.some<RawDocument>({ source: file, content: contents.raw[0] })
  return yield* parseSettings(documentOf(configMap, names.userSettingsKey))
})

const parseSettings = (found: DocumentText | undefined) =>
  found === undefined ? Effect.succeed(Option.none<RawDocument>()) : Effect.map(Effect.fromResult(parseRawDocument(found)), Option.some)

/** The files read once, when first needed; any problem fails the configuration. */
const readOnce = Effect.fnUntraced(function*(options: FileSourceOptions, names: ConfigMapNames, where: string) {
  const context = yield* Effect.context<FileSystem.FileSystem | Path.Path>()
  // Configuration and users' settings come from the same files: read them once per layer.
  const loaded = yield* Effect.cached(Effect.provideContext(loadPaths(options), context))
  const templateConfigMaps = yield* Effect.cached(Effect.forEach(options.templates ?? [], (p) => loadPath(p, names)).pipe(
    Effect.map((all) => all.flatMap((l) => l.configMaps)),
    Effect.provideContext(context)
  ))
  // Combined once, so that every spawn shares the configuration's caches.
  const configuration = yield* Effect.cached(Effect.flatMap(loaded, ({ documents, warnings, errors }) =>
    errors.length > 0
      ? Effect.fail(new InvalidConfiguration({ documents: errors }))
      : Effect.succeed<LoadedConfiguration>({
        configuration: combineDocuments(documents),
        warnings: documents.length === 0 ? [...warnings, noConfigurationWarning(where, names, true)] : warnings
      })))
  const settings = settingsReader(names)
  return {
    configuration,
    userSettings: (user: string) => Effect.flatMap(loaded, ({ configMaps }) => settings(configMaps, user)),
    configMapKey: (name: string, key: string) => Effect.gen(function*() {
      return findConfigMapKey([...(yield* loaded).configMaps, ...yield* templateConfigMaps], name, key)
    }),
    inventory: Effect.map(loaded, ({ documents, configMaps, warnings, errors }) => ({
      where,
      documents,
      errors,
      warnings,
      userSettings: configMaps.flatMap((cm) => storedUserSettingsOf(cm, names) ?? [])
    })),
    status: Effect.map(Effect.result(loaded), (result) => ({
      where,
      synced: Result.isSuccess(result),
      restarts: 0,
      ...(Result.isFailure(result) ? { lastError: result.failure } : {}),
      documents: Result.isSuccess(result)
        ? [...result.success.documents.map((d) => ({ source: d.source })), ...result.success.errors.map((rejected) => ({ source: rejected.source, rejected: [rejected] }))]
        : []
    }))
  }
})

/**
 * `ConfigSource` over files and directories (SPEC 1, "File"). Read once, when first needed; or,
 * with `watch`, read at once and polled until the layer's scope closes (docs/configuration.md,
 * "Files that change").
 */
export const FileConfigSource = (options: FileSourceOptions) =>
  Layer.effect(ConfigSource, Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const names = options.names ?? defaultConfigMapNames
    const where = options.paths.join(", ")
    const source = options.watch === undefined
      ? yield* readOnce(options, names, where)
      : yield* watchFiles(options, names, where, options.watch.intervalMs ?? defaultPollIntervalMs)
    return ConfigSource.of({
      ...source,
      userSettings: (user) => {
        const file = options.userSettingsFile
        if (file !== undefined) return readUserSettingsFile(file, user, names).pipe(Effect.provideService(FileSystem.FileSystem, fs))
        return source.userSettings(user)
      }
    })
  }))
