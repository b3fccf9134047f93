import {
  combineDocuments,
  configMapView,
  type ConfigMapNames,
  type ConfigMapView,
  decodeConfigText,
  type DocumentStatus,
  documentOf,
  inConfigurationOrder,
  type InvalidDocument,
  isConfigConfigMap,
  type LoadedConfiguration,
  missingKeyWarning,
  noConfigurationWarning,
  parseRawDocument,
  type RawDocument,
  type SourcedDocument,
  type StoredUserSettings,
  storedUserSettingsOf,
  userSettingsConfigMapName,
  type Warning,
  warning
} from "@jsp/core"
import { Option, Result } from "effect"

/** What happened to one configuration ConfigMap's document. */
export interface ConfigMapState {
  readonly name: string
  readonly resourceVersion: string
  /** The version in force (the last good one), if any. */
  readonly inForce?: { readonly resourceVersion: string; readonly documents: ReadonlyArray<SourcedDocument>; readonly warnings: ReadonlyArray<Warning> }
  /** Why the current version is not in force. */
  readonly rejected?: { readonly resourceVersion: string; readonly errors: ReadonlyArray<InvalidDocument> }
  readonly missingKey: boolean
}

/** How the cache tells what happens to the configuration as it changes (a rejected version, a valid one again). */
export type CacheLog = (level: "info" | "warning", message: string) => void

const resourceVersionOf = (object: unknown): string => {
  const metadata = typeof object === "object" && object !== null ? Reflect.get(object, "metadata") : undefined
  const rv = typeof metadata === "object" && metadata !== null ? Reflect.get(metadata, "resourceVersion") : undefined
  return typeof rv === "string" ? rv : ""
}

type SettingsRead = Result.Result<Option.Option<RawDocument>, InvalidDocument>

/**
 * The ConfigMaps of one namespace as last seen, each configuration document decoded once when
 * it changes and the configuration combined once per change. A version that fails to decode is
 * reported and the last good one stays in force; a deleted ConfigMap is dropped (SPEC 1, SPEC 10).
 * Users' settings documents are parsed once per version.
 */
export class ConfigMapCache {
  private readonly configMaps = new Map<string, ConfigMapView>()
  private readonly states = new Map<string, ConfigMapState>()
  private readonly settings = new Map<string, SettingsRead>()
  private snapshot: LoadedConfiguration | undefined
  private loggedMissingMain = false
  private readonly origin: string
  private readonly names: ConfigMapNames
  private readonly log: CacheLog

  constructor(origin: string, names: ConfigMapNames, log: CacheLog) {
    this.origin = origin
    this.names = names
    this.log = log
  }

  /** A ConfigMap was added or changed. */
  upsert(object: unknown): void {
    const view = configMapView(object, this.origin)
    if (view === undefined) return
    this.configMaps.set(view.name, view)
    this.settings.delete(view.name)
    this.snapshot = undefined
    if (!isConfigConfigMap(view, this.names)) {
      this.states.delete(view.name)
      return
    }
    const resourceVersion = resourceVersionOf(object)
    const previous = this.states.get(view.name)
    const document = documentOf(view, this.names.key)
    if (document === undefined) {
      this.log("warning", `${this.origin}: ConfigMap ${view.name} has no key ${this.names.key}; skipped`)
      this.states.set(view.name, { name: view.name, resourceVersion, missingKey: true })
      return
    }
    const { documents, warnings, errors } = decodeConfigText(document.source, document.text)
    if (errors.length === 0) {
      if (previous?.rejected !== undefined) this.log("info", `${document.source}: valid again (resourceVersion ${resourceVersion})`)
      this.states.set(view.name, { name: view.name, resourceVersion, missingKey: false, inForce: { resourceVersion, documents, warnings } })
      return
    }
    const kept = previous?.inForce
    this.log("warning", `${errors.map((e) => e.message).join("\n")}\n${document.source}: resourceVersion ${resourceVersion} rejected; ${kept === undefined ? "no earlier version was valid, so it is not used" : `the last good version (${kept.resourceVersion}) stays in force`}`)
    this.states.set(view.name, { name: view.name, resourceVersion, missingKey: false, ...(kept === undefined ? {} : { inForce: kept }), rejected: { resourceVersion, errors } })
  }

  /** A ConfigMap was deleted: it no longer counts, not even its last good version. */
  remove(object: unknown): void {
    const view = configMapView(object, this.origin)
    if (view === undefined) return
    this.configMaps.delete(view.name)
    this.states.delete(view.name)
    this.settings.delete(view.name)
    this.snapshot = undefined
  }

  /** Everything at once, as from a fresh list: ConfigMaps not among them are gone. */
  replaceAll(objects: ReadonlyArray<unknown>): void {
    const seen = new Set<string>()
    for (const object of objects) {
      this.upsert(object)
      const view = configMapView(object, this.origin)
      if (view !== undefined) seen.add(view.name)
    }
    for (const view of [...this.configMaps.values()]) if (!seen.has(view.name)) this.remove({ metadata: { name: view.name } })
  }

  private ordered(): ReadonlyArray<ConfigMapState> {
    return inConfigurationOrder([...this.states.values()], this.names)
  }

  /** The configuration in force, combined once per change: the same object until something changes. */
  configuration(): LoadedConfiguration {
    if (this.snapshot !== undefined) return this.snapshot
    const ordered = this.ordered()
    if (!this.states.has(this.names.configMap) && this.states.size > 0 && !this.loggedMissingMain) {
      this.loggedMissingMain = true
      this.log("info", `${this.origin}: ConfigMap ${this.names.configMap} not found; using the labelled ConfigMaps only`)
    }
    const warnings = ordered.length === 0 ? [noConfigurationWarning(`namespace ${this.origin}`, this.names)] : ordered.flatMap((s): ReadonlyArray<Warning> => [
      ...(s.inForce?.warnings ?? []),
      ...(s.missingKey ? [missingKeyWarning(this.origin, s.name, this.names)] : []),
      ...(s.rejected === undefined ? [] : [warning(this.origin,
        `ConfigMap ${s.name} version ${s.rejected.resourceVersion} is invalid; ${s.inForce === undefined ? "skipped" : `version ${s.inForce.resourceVersion} stays in force`}`)])
    ])
    this.snapshot = { configuration: combineDocuments(ordered.flatMap((s) => s.inForce?.documents ?? [])), warnings }
    return this.snapshot
  }

  /** The user's settings document (ConfigMap `jupyterhub-singleuser-profile-<user>`), parsed once per version. */
  userSettings(user: string): SettingsRead {
    const name = userSettingsConfigMapName(user)
    const known = this.settings.get(name)
    if (known !== undefined) return known
    const view = this.configMaps.get(name)
    const document = view === undefined ? undefined : documentOf(view, this.names.userSettingsKey)
    const read: SettingsRead = document === undefined ? Result.succeed(Option.none()) : Result.map(parseRawDocument(document), Option.some)
    this.settings.set(name, read)
    return read
  }

  /** A data key of any ConfigMap as last seen (services' templates). */
  configMapKey(name: string, key: string) {
    const view = this.configMaps.get(name)
    return Option.fromNullishOr(view === undefined ? undefined : documentOf(view, key))
  }

  /** Every configuration document, users' settings included: the versions in force, and every problem of the latest ones. */
  inventory(): { readonly documents: ReadonlyArray<SourcedDocument>; readonly errors: ReadonlyArray<InvalidDocument>; readonly warnings: ReadonlyArray<Warning>; readonly userSettings: ReadonlyArray<StoredUserSettings> } {
    const ordered = this.ordered()
    return {
      documents: ordered.flatMap((s) => s.inForce?.documents ?? []),
      errors: ordered.flatMap((s) => s.rejected?.errors ?? []),
      warnings: ordered.flatMap((s) => [...(s.inForce?.warnings ?? []), ...(s.missingKey ? [missingKeyWarning(this.origin, s.name, this.names)] : [])]),
      userSettings: [...this.configMaps.values()].flatMap((view) => storedUserSettingsOf(view, this.names) ?? [])
    }
  }

  /** Each configuration ConfigMap's version, the version in force, and why the latest is not. */
  documentStatuses(): ReadonlyArray<DocumentStatus> {
    return this.ordered().map((s) => ({
      source: `${this.origin}: ConfigMap ${s.name}`,
      version: s.resourceVersion,
      ...(s.inForce !== undefined && s.inForce.resourceVersion !== s.resourceVersion ? { inForce: s.inForce.resourceVersion } : {}),
      ...(s.rejected === undefined ? {} : { rejected: s.rejected.errors })
    }))
  }

  /** The state of every configuration ConfigMap. */
  configMapStates(): ReadonlyArray<ConfigMapState> {
    return [...this.states.values()]
  }
}
