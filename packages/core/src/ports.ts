import { Context, type Effect, type Option } from "effect"
import type { Configuration, SourcedDocument } from "./decode/configuration.ts"
import type { InvalidConfiguration, InvalidDocument, SourceUnavailable } from "./errors/errors.ts"
import type { Warning } from "./errors/warning.ts"
import type { Json, JsonObject } from "./internal/json.ts"
import type { DocumentText, RawDocument } from "./sources/config-maps.ts"
import type { UserSettingsUpdate } from "./user-settings/write.ts"

/** The configuration a source holds now, combined, and what was noticed reading it. */
export interface LoadedConfiguration {
  readonly configuration: Configuration
  readonly warnings: ReadonlyArray<Warning>
}

/** A user's settings document as stored, found by its ConfigMap's name (for validation). */
export interface StoredUserSettings {
  /** The user's name as escaped in the ConfigMap's name. */
  readonly escapedUser: string
  /** The Secret the document may take password values from. */
  readonly secret: string
  readonly document: RawDocument | InvalidDocument
}

/** Everything a source holds, valid or not: what `validate` checks. */
export interface SourceInventory {
  /** Where it was read: paths, or the cluster and namespace. */
  readonly where: string
  /** The documents in force, in source order. */
  readonly documents: ReadonlyArray<SourcedDocument>
  /** Every problem of every document (for a cluster, of the versions not in force). */
  readonly errors: ReadonlyArray<InvalidDocument>
  readonly warnings: ReadonlyArray<Warning>
  readonly userSettings: ReadonlyArray<StoredUserSettings>
}

/** How one configuration document of a source is doing. */
export interface DocumentStatus {
  readonly source: string
  /** The version read last (a ConfigMap's resourceVersion). */
  readonly version?: string
  /** The version in force, when it is the last good one rather than the latest. */
  readonly inForce?: string
  /** Why the latest version is not in force. */
  readonly rejected?: ReadonlyArray<InvalidDocument>
}

/** Why a watch was started again; `SourceStatus.restartsBy` counts each apart. */
export type RestartCause =
  /** The API server (or a proxy) ended the watch cleanly: resumed at once. */
  | "ended"
  /** The connection broke after the watch was answered: resumed at once. */
  | "dropped"
  /** Nothing arrived for longer than the API server was asked to keep the watch open: abandoned. */
  | "silent"
  /** No answer within the deadline (a watch's response headers, a list's whole answer). */
  | "timed-out"
  /** No connection: refused, closed before an answer, DNS, TLS. */
  | "unreachable"
  /** The API server answered with an error (5xx, 429, 403…). */
  | "failed"
  /** The resourceVersion was too old (410 Gone): listed again. */
  | "gone"

/** How a source is doing: for readiness and status endpoints (`readiness` judges it). */
export interface SourceStatus {
  readonly where: string
  /** Whether it holds what the source had at its last read (a watch: listed, connected and answered). */
  readonly synced: boolean
  /** How often the watch was started again, for every cause. */
  readonly restarts: number
  /** The restarts by cause (a watching source), adding up to `restarts`. */
  readonly restartsBy?: Readonly<Record<RestartCause, number>>
  /** The latest failure while not synced; absent once synced again. */
  readonly lastError?: SourceUnavailable
  /** While not synced: since when (ISO 8601) changes may be missing. The last good configuration keeps serving. */
  readonly staleSince?: string
  /** While not synced: why, the latest cause, in words. */
  readonly staleReason?: string
  /** When the newest event (a change, a bookmark, a list) arrived (ISO 8601): how recently the origin was heard from. */
  readonly newestEventAt?: string
  readonly documents: ReadonlyArray<DocumentStatus>
}

/** Where configuration comes from (SPEC 1): files, or ConfigMaps in a cluster. */
export class ConfigSource extends Context.Service<ConfigSource, {
  /** The configuration in force: every document combined in source order. */
  readonly configuration: Effect.Effect<LoadedConfiguration, InvalidConfiguration | SourceUnavailable>
  /** The user's own settings document (`jupyterhub-singleuser-profile-<user>`), if there is one; the same object while it is unchanged. */
  readonly userSettings: (user: string) => Effect.Effect<Option.Option<RawDocument>, InvalidDocument | SourceUnavailable>
  /** A ConfigMap's data key (a service's template, SPEC 7), if there is one. */
  readonly configMapKey: (name: string, key: string) => Effect.Effect<Option.Option<DocumentText>, SourceUnavailable>
  /** Everything the source holds, valid or not. */
  readonly inventory: Effect.Effect<SourceInventory, SourceUnavailable>
  readonly status: Effect.Effect<SourceStatus>
}>()("@jsp/core/ConfigSource") {}

/** An OpenShift ImageStream as the image catalog reads it (SPEC 8). */
export type ImageStream = JsonObject

/** Notebook images available to users (SPEC 8); implemented over ImageStreams by the Kubernetes adapter. */
export class ImageCatalog extends Context.Service<ImageCatalog, {
  readonly imageStreams: Effect.Effect<ReadonlyArray<ImageStream>, SourceUnavailable>
}>()("@jsp/core/ImageCatalog") {}

/** Reads and writes users' own settings documents (SPEC 1); writes are validated before they get here. */
export class UserSettingsStore extends Context.Service<UserSettingsStore, {
  /** The user's settings document as stored now (not from a cache), if there is one. */
  readonly read: (user: string) => Effect.Effect<Option.Option<RawDocument>, InvalidDocument | SourceUnavailable>
  /** Applies a validated update (password values to the user's Secret); returns the document as stored. */
  readonly write: (user: string, update: UserSettingsUpdate) => Effect.Effect<JsonObject, SourceUnavailable>
}>()("@jsp/core/UserSettingsStore") {}

/** A Kubernetes object of a per-user service (SPEC 7), as rendered or as the API server holds it. */
export interface KubeObject {
  readonly apiVersion: string
  readonly kind: string
  readonly metadata: JsonObject
  readonly [key: string]: Json
}

/** The owner of a user's service objects: deleting it lets garbage collection remove them. */
export interface OwnerReference {
  readonly apiVersion: string
  readonly kind: string
  readonly name: string
  readonly uid: string
}

/**
 * Creates, reads and removes the objects of per-user services (SPEC 7) in the cluster. Templates
 * come from the `ConfigSource` (`configMapKey`); every failure is typed (`SourceUnavailable` with
 * its reason, verb and resource).
 */
export class ServiceGateway extends Context.Service<ServiceGateway, {
  /** The user's reference ConfigMap (`singleuser-service-ref-<user>`), created when missing. */
  readonly ensureOwner: (user: string) => Effect.Effect<OwnerReference, SourceUnavailable>
  /** Creates the object, or replaces it when it exists; returns it as stored. */
  readonly submit: (object: KubeObject) => Effect.Effect<KubeObject, SourceUnavailable>
  /** The object as the API server holds it now. */
  readonly read: (object: KubeObject) => Effect.Effect<Option.Option<KubeObject>, SourceUnavailable>
  /** Deletes the user's reference ConfigMap; garbage collection removes what it owns. */
  readonly removeOwner: (user: string) => Effect.Effect<void, SourceUnavailable>
  /**
   * True when nothing reaches a cluster (a dry run): `read` gives the object as submitted here, so
   * `ready` cannot be waited for and status fields are never there.
   */
  readonly dryRun: boolean
}>()("@jsp/core/ServiceGateway") {}
