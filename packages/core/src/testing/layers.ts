import { Effect, Layer, Option, Result } from "effect"
import { combineDocuments, decodeConfigText, type DecodedDocuments } from "../decode/configuration.ts"
import { InvalidConfiguration, SourceUnavailable } from "../errors/errors.ts"
import { notebookImageLabel } from "../images/images.ts"
import { isJsonObject, type JsonObject } from "../internal/json.ts"
import { userSettingsConfigMapName, userSettingsOwner } from "../kube/names.ts"
import { ConfigSource, ImageCatalog, type ImageStream, type KubeObject, type LoadedConfiguration, type OwnerReference, ServiceGateway, UserSettingsStore } from "../ports.ts"
import { serviceOwnerName } from "../services/plan.ts"
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

/** A notebook ImageStream (labelled, SPEC 8) with these tags and stream annotations, as the API server returns it. */
export const notebookImageStream = (name: string, tags: ReadonlyArray<string>, annotations: Readonly<Record<string, string>> = {}): ImageStream => ({
  apiVersion: "image.openshift.io/v1",
  kind: "ImageStream",
  metadata: { name, labels: { [notebookImageLabel]: "true" }, annotations: { ...annotations } },
  spec: { tags: tags.map((tag) => ({ name: tag })) },
  status: { tags: tags.map((tag) => ({ tag })) }
})

/** An in-memory `ImageCatalog` over these ImageStreams; without any, every read fails as an unreachable cluster would. */
export const MemoryImageCatalog = (streams: ReadonlyArray<ImageStream> | undefined) => Layer.succeed(ImageCatalog, ImageCatalog.of({
  imageStreams: streams === undefined
    ? Effect.fail(new SourceUnavailable({ source: "memory", reason: "unreachable", detail: "no image catalog", verb: "list", resource: "imagestreams.image.openshift.io" }))
    : Effect.succeed(streams)
}))

/**
 * An in-memory `ServiceGateway`: objects by kind and name, created or replaced (a new
 * resourceVersion each write), the owner ConfigMap per user, and garbage collection of what it
 * owns when it is removed, as the API server does. `update` stands in for a controller changing
 * an object's status.
 */
export const MemoryServiceGateway = () => {
  const objects = new Map<string, KubeObject>()
  const owners = new Map<string, OwnerReference>()
  let version = 0
  const keyOf = (object: KubeObject) => `${object.kind}/${String(object.metadata["name"])}`
  const layer = Layer.succeed(ServiceGateway, ServiceGateway.of({
    dryRun: false,
    ensureOwner: (user) => Effect.sync(() => {
      const name = serviceOwnerName(user)
      const known = owners.get(name) ?? { apiVersion: "v1", kind: "ConfigMap", name, uid: `uid-${++version}` }
      owners.set(name, known)
      return known
    }),
    submit: (object) => Effect.sync(() => {
      const stored: KubeObject = { ...object, metadata: { ...object.metadata, resourceVersion: String(++version) } }
      objects.set(keyOf(object), stored)
      return stored
    }),
    read: (object) => Effect.sync(() => Option.fromNullishOr(objects.get(keyOf(object)))),
    removeOwner: (user) => Effect.sync(() => {
      const owner = owners.get(serviceOwnerName(user))
      owners.delete(serviceOwnerName(user))
      for (const [key, object] of objects) {
        const refs = object.metadata["ownerReferences"]
        if (owner !== undefined && Array.isArray(refs) && refs.some((r) => isJsonObject(r) && r["uid"] === owner.uid)) objects.delete(key)
      }
    })
  }))
  const update = (kind: string, name: string, change: (object: KubeObject) => KubeObject) => {
    const object = objects.get(`${kind}/${name}`)
    if (object !== undefined) objects.set(`${kind}/${name}`, change(object))
  }
  return { layer, objects, owners, update }
}
