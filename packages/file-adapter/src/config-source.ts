import {
  combineDocuments,
  ConfigSource,
  configDocumentsOf,
  type ConfigMapNames,
  type ConfigMapView,
  type DocumentText,
  decodeConfigDocuments,
  decodeConfigText,
  type DecodedDocuments,
  documentOf,
  defaultConfigMapNames,
  InvalidConfiguration,
  InvalidDocument,
  noConfigurationWarning,
  type LoadedConfiguration,
  type RawDocument,
  type SourcedDocument,
  storedUserSettingsOf,
  parseRawDocument,
  parseYamlDocuments,
  userSettingsConfigMapName,
  userSettingsOf,
  type Warning
} from "@jsp/core"
import { Effect, FileSystem, Layer, Option, Path, Result } from "effect"
import { readBoundedText } from "./bounded-read.ts"
import { filesOf } from "./files.ts"
import { classifyDocuments } from "./manifests.ts"

/** Everything read from one `--config` path (a file or a directory). */
export interface LoadedPath {
  readonly documents: ReadonlyArray<SourcedDocument>
  readonly configMaps: ReadonlyArray<ConfigMapView>
  readonly warnings: ReadonlyArray<Warning>
  readonly errors: ReadonlyArray<InvalidDocument>
}

/**
 * Reads one path: raw documents first, in the order read (they play the part of the main
 * ConfigMap), then ConfigMaps in the order the cluster gives them (SPEC 1).
 */
export const loadPath = Effect.fn("loadPath")(function*(path: string, names: ConfigMapNames = defaultConfigMapNames) {
  const raw: Array<DecodedDocuments> = []
  const configMaps: Array<ConfigMapView> = []
  const warnings: Array<Warning> = []
  const errors: Array<InvalidDocument> = []
  for (const file of yield* filesOf(path)) {
    // Text that is not UTF-8 is a problem of the document, reported with the others.
    const text = yield* readBoundedText(file).pipe(Effect.catchTag("InvalidDocument", (e) => Effect.succeed(e)))
    if (text instanceof InvalidDocument) {
      errors.push(text)
      continue
    }
    const parsed = parseYamlDocuments(file, text)
    if (Result.isFailure(parsed)) {
      errors.push(parsed.failure)
      continue
    }
    const contents = classifyDocuments(file, parsed.success)
    raw.push(decodeConfigDocuments(file, contents.raw))
    configMaps.push(...contents.configMaps)
    warnings.push(...contents.warnings)
  }
  const fromConfigMaps = configDocumentsOf(configMaps, names)
  const decoded = [...raw, ...fromConfigMaps.documents.map(({ source, text }) => decodeConfigText(source, text))]
  return {
    documents: decoded.flatMap((d) => d.documents),
    configMaps,
    warnings: [...warnings, ...fromConfigMaps.warnings, ...decoded.flatMap((d) => d.warnings)],
    errors: [...errors, ...decoded.flatMap((d) => d.errors)]
  } satisfies LoadedPath
})

/** Options of the file source. */
export interface FileSourceOptions {
  /** Configuration paths, read in this order (later wins). */
  readonly paths: ReadonlyArray<string>
  /** A file holding one user's settings (raw document or ConfigMap), read instead of looking them up by name. */
  readonly userSettingsFile?: string | undefined
  readonly names?: ConfigMapNames | undefined
  /** Paths read only for their ConfigMaps' data (services' templates, SPEC 7), after those of `paths`. */
  readonly templates?: ReadonlyArray<string> | undefined
}

/** Reads every path; all problems of all documents are collected before failing. */
export const loadPaths = Effect.fn("loadPaths")(function*(options: FileSourceOptions) {
  const loaded = yield* Effect.forEach(options.paths, (path) => loadPath(path, options.names))
  return {
    documents: loaded.flatMap((l) => l.documents),
    configMaps: loaded.flatMap((l) => l.configMaps),
    warnings: loaded.flatMap((l) => l.warnings),
    errors: loaded.flatMap((l) => l.errors)
  } satisfies LoadedPath
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

/** `ConfigSource` over files and directories (SPEC 1, "File"); the files are read once, when first needed. */
export const FileConfigSource = (options: FileSourceOptions) =>
  Layer.effect(ConfigSource, Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const names = options.names ?? defaultConfigMapNames
    const where = options.paths.join(", ")
    // Configuration and users' settings come from the same files: read them once per layer.
    const loaded = yield* Effect.cached(loadPaths(options).pipe(
      Effect.provideService(FileSystem.FileSystem, fs),
      Effect.provideService(Path.Path, path)
    ))
    const templateConfigMaps = yield* Effect.cached(Effect.forEach(options.templates ?? [], (p) => loadPath(p, names)).pipe(
      Effect.map((all) => all.flatMap((l) => l.configMaps)),
      Effect.provideService(FileSystem.FileSystem, fs),
      Effect.provideService(Path.Path, path)
    ))
    // Combined once, so that every spawn shares the configuration's caches.
    const configuration = yield* Effect.cached(Effect.flatMap(loaded, ({ documents, warnings, errors }) =>
      errors.length > 0
        ? Effect.fail(new InvalidConfiguration({ documents: errors }))
        : Effect.succeed<LoadedConfiguration>({
          configuration: combineDocuments(documents),
          warnings: documents.length === 0 ? [...warnings, noConfigurationWarning(where, names, true)] : warnings
        })))
    // The same document object for a user every time, so that what was read of it is reused.
    const settings = new Map<string, Option.Option<RawDocument>>()
    const fromFiles = (user: string) => Effect.flatMap(loaded, ({ configMaps }) => {
      const known = settings.get(user)
      if (known !== undefined) return Effect.succeed(known)
      return Effect.map(parseSettings(userSettingsOf(configMaps, user, names)), (found) => {
        settings.set(user, found)
        return found
      })
    })
    return ConfigSource.of({
      configuration,
      userSettings: (user) => {
        const file = options.userSettingsFile
        if (file !== undefined) return readUserSettingsFile(file, user, names).pipe(Effect.provideService(FileSystem.FileSystem, fs))
        return fromFiles(user)
      },
      configMapKey: (name, key) => Effect.gen(function*() {
        const all = [...(yield* loaded).configMaps, ...yield* templateConfigMaps]
        return Option.fromNullishOr(all.findLast((cm) => cm.name === name)).pipe(Option.flatMapNullishOr((cm) => documentOf(cm, key)))
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
    })
  }))
