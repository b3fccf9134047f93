import { Context, type Effect, type Option } from "effect"
import type { SourcedDocument } from "./decode/configuration.ts"
import type { InvalidConfiguration, InvalidDocument, SourceUnavailable } from "./errors/errors.ts"
import type { Json, JsonObject } from "./internal/json.ts"
import type { UserSettingsUpdate } from "./user-settings/write.ts"

/** Configuration documents in source order, and the warnings found while reading them. */
export interface LoadedDocuments {
  readonly documents: ReadonlyArray<SourcedDocument>
  readonly warnings: ReadonlyArray<string>
}

/** A document as read, not yet decoded, and where it came from. */
export interface RawDocument {
  readonly source: string
  readonly content: unknown
}

/** Where configuration comes from (SPEC 1): files, or ConfigMaps in a cluster. */
export class ConfigSource extends Context.Service<ConfigSource, {
  /** Every configuration document, decoded, in the order later-wins merging needs. */
  readonly documents: Effect.Effect<LoadedDocuments, InvalidConfiguration | SourceUnavailable>
  /** The user's own settings document (`jupyterhub-singleuser-profile-<user>`), if there is one. */
  readonly userSettings: (user: string) => Effect.Effect<Option.Option<RawDocument>, InvalidDocument | SourceUnavailable>
}>()("@jsp/core/ConfigSource") {}

/** An OpenShift ImageStream as the image catalog reads it (SPEC 8). */
export type ImageStream = JsonObject

/** Notebook images available to users (SPEC 8); implemented over ImageStreams by the Kubernetes adapter. */
export class ImageCatalog extends Context.Service<ImageCatalog, {
  readonly imageStreams: Effect.Effect<ReadonlyArray<ImageStream>, SourceUnavailable>
}>()("@jsp/core/ImageCatalog") {}

/** A Kubernetes object a service creates, and what the API server made of it. */
export interface KubeObject {
  readonly apiVersion: string
  readonly kind: string
  readonly metadata: JsonObject
  readonly [key: string]: Json
}

/** Creates, reads and deletes the objects of per-user services (SPEC 7). */
export class ResourceGateway extends Context.Service<ResourceGateway, {
  readonly template: (configMap: string, key: string) => Effect.Effect<string, SourceUnavailable>
  readonly apply: (object: KubeObject) => Effect.Effect<KubeObject, SourceUnavailable>
  readonly read: (object: KubeObject) => Effect.Effect<Option.Option<KubeObject>, SourceUnavailable>
  readonly delete: (object: KubeObject) => Effect.Effect<void, SourceUnavailable>
}>()("@jsp/core/ResourceGateway") {}

/** Reads and writes users' own settings documents (SPEC 1); writes are validated before they get here. */
export class UserSettingsStore extends Context.Service<UserSettingsStore, {
  /** The user's settings document as stored now (not from a cache), if there is one. */
  readonly read: (user: string) => Effect.Effect<Option.Option<RawDocument>, InvalidDocument | SourceUnavailable>
  /** Applies a validated update (password values to the user's Secret); returns the document as stored. */
  readonly write: (user: string, update: UserSettingsUpdate) => Effect.Effect<JsonObject, SourceUnavailable>
}>()("@jsp/core/UserSettingsStore") {}
