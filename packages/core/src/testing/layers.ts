import { Effect, Layer, Option, Result } from "effect"
import { combineDocuments, decodeConfigText, type DecodedDocuments } from "../decode/configuration.ts"
import { InvalidConfiguration, SourceUnavailable } from "../errors/errors.ts"
import type { JsonObject } from "../internal/json.ts"
import { userSettingsConfigMapName, userSettingsOwner } from "../kube/names.ts"
import { ConfigSource, ImageCatalog, type ImageStream, type LoadedConfiguration, UserSettingsStore } from "../ports.ts"
import { type DocumentText, noConfigurationWarning, defaultConfigMapNames, parseRawDocument, type RawDocument } from "../sources/config-maps.ts"
import { renderUserSettings } from "../user-settings/write.ts"

/** What an in-memory source holds: configuration documents in order, users' settings, other ConfigMaps' data. */
export interface MemorySourceContents {
  /** Configuration documents as text, in source order. */
  readonly documents: ReadonlyArray<DocumentText>
  /** Users' settings documents as text, by user name. */
  readonly userSettings?: Readonly<Record<string, string>>
  /** Any other ConfigMap's data (services' templates), by ConfigMap name. */
  readonly configMaps?: Readonly<Record<string, Readonly<Record<string, string>>>>
  /** Where it claims to be (for messages). */
  readonly where?: string
}

/**
 * A `ConfigSource` over documents held in memory: decoded and combined once, users' settings
 * parsed once (the same object every time), as the real sources do. For tests of use cases and
 * drivers that need no files and no cluster.
 */
export const MemoryConfigSource = (contents: MemorySourceContents) => Layer.sync(ConfigSource, () => {
  const where = contents.where ?? "memory"
  const decoded: ReadonlyArray<DecodedDocuments> = contents.documents.map(({ source, text }) => decodeConfigText(source, text))
  const documents = decoded.flatMap((d) => d.documents)
  const warnings = decoded.flatMap((d) => d.warnings)
  const errors = decoded.flatMap((d) => d.errors)
  const loaded: LoadedConfiguration = {
    configuration: combineDocuments(documents),
    warnings: documents.length === 0 && errors.length === 0 ? [...warnings, noConfigurationWarning(where, defaultConfigMapNames)] : warnings
  }
  const settings = new Map(Object.entries(contents.userSettings ?? {}).map(([user, text]) =>
    [user, parseRawDocument({ source: `${where}: ConfigMap ${userSettingsConfigMapName(user)} key profile`, text })]))
  return ConfigSource.of({
    configuration: errors.length > 0 ? Effect.fail(new InvalidConfiguration({ documents: errors })) : Effect.succeed(loaded),
    userSettings: (user) => {
      const found = settings.get(user)
      return found === undefined ? Effect.succeed(Option.none<RawDocument>()) : Effect.map(Effect.fromResult(found), Option.some)
    },
    configMapKey: (name, key) => {
      const text = contents.configMaps?.[name]?.[key]
      return Effect.succeed(text === undefined ? Option.none() : Option.some({ source: `${where}: ConfigMap ${name} key ${key}`, text }))
    },
    inventory: Effect.succeed({
      where,
      documents,
      errors,
      warnings,
      userSettings: [...settings.entries()].flatMap(([user, document]) => {
        const owner = userSettingsOwner(userSettingsConfigMapName(user))
        return owner === undefined ? [] : [{ ...owner, document: Result.isSuccess(document) ? document.success : document.failure }]
      })
    }),
    status: Effect.succeed({
      where,
      synced: true,
      restarts: 0,
      documents: contents.documents.map(({ source }, i) => {
        const rejected = decoded[i]?.errors ?? []
        return rejected.length === 0 ? { source } : { source, rejected }
      })
    })
  })
})

/** An in-memory `UserSettingsStore`, and what it holds (documents by user, Secret data by user). */
export const MemoryUserSettingsStore = (initial: Readonly<Record<string, JsonObject>> = {}) => {
  const documents = new Map(Object.entries(initial))
  const secrets = new Map<string, Record<string, string>>()
  const layer = Layer.succeed(UserSettingsStore, UserSettingsStore.of({
    read: (user) => Effect.sync(() => {
      const document = documents.get(user)
      return document === undefined ? Option.none() : Option.some({ source: `memory: settings of ${user}`, content: document })
    }),
    write: (user, update) => Effect.sync(() => {
      const rendered = renderUserSettings(user, documents.get(user), update)
      documents.set(user, rendered.document)
      if (rendered.secretData !== undefined) secrets.set(user, { ...secrets.get(user), ...rendered.secretData })
      return rendered.document
    })
  }))
  return { layer, documents, secrets }
}

/** An in-memory `ImageCatalog` over these ImageStreams; without any, every read fails as an unreachable cluster would. */
export const MemoryImageCatalog = (streams: ReadonlyArray<ImageStream> | undefined) => Layer.succeed(ImageCatalog, ImageCatalog.of({
  imageStreams: streams === undefined
    ? Effect.fail(new SourceUnavailable({ source: "memory", reason: "unreachable", detail: "no image catalog", verb: "list", resource: "imagestreams.image.openshift.io" }))
    : Effect.succeed(streams)
}))
