import {
  configMapView,
  type ConfigMapNames,
  type ConfigMapView,
  decodeConfigText,
  documentOf,
  type DocumentText,
  type InvalidDocument,
  isConfigConfigMap,
  type LoadedDocuments,
  type SourcedDocument,
  userSettingsConfigMapName
} from "@jsp/core"

/** What happened to one configuration ConfigMap's document. */
export interface ConfigMapState {
  readonly name: string
  readonly resourceVersion: string
  /** The version in force (the last good one), if any. */
  readonly inForce?: { readonly resourceVersion: string; readonly documents: ReadonlyArray<SourcedDocument>; readonly warnings: ReadonlyArray<string> }
  /** Why the current version is not in force. */
  readonly rejected?: { readonly resourceVersion: string; readonly errors: ReadonlyArray<InvalidDocument> }
  readonly missingKey: boolean
}

const resourceVersionOf = (object: unknown): string => {
  const metadata = typeof object === "object" && object !== null ? Reflect.get(object, "metadata") : undefined
  const rv = typeof metadata === "object" && metadata !== null ? Reflect.get(metadata, "resourceVersion") : undefined
  return typeof rv === "string" ? rv : ""
}

/**
 * The ConfigMaps of one namespace as last seen, each configuration document decoded once when
 * it changes. A version that fails to decode is reported and the last good one stays in force;
 * a deleted ConfigMap is dropped (SPEC 1, SPEC 10).
 */
export class ConfigMapCache {
  private readonly configMaps = new Map<string, ConfigMapView>()
  private readonly states = new Map<string, ConfigMapState>()
  private snapshot: LoadedDocuments | undefined
  private reportedMissingMain = false
  private readonly origin: string
  private readonly names: ConfigMapNames
  private readonly report: (message: string) => void

  constructor(origin: string, names: ConfigMapNames, report: (message: string) => void) {
    this.origin = origin
    this.names = names
    this.report = report
  }

  /** A ConfigMap was added or changed. */
  upsert(object: unknown): void {
    const view = configMapView(object, this.origin)
    if (view === undefined) return
    this.configMaps.set(view.name, view)
    this.snapshot = undefined
    if (!isConfigConfigMap(view, this.names)) {
      this.states.delete(view.name)
      return
    }
    const resourceVersion = resourceVersionOf(object)
    const previous = this.states.get(view.name)
    const document = documentOf(view, this.names.key)
    if (document === undefined) {
      this.report(`${this.origin}: ConfigMap ${view.name} has no key ${this.names.key}; skipped`)
      this.states.set(view.name, { name: view.name, resourceVersion, missingKey: true })
      return
    }
    const { documents, warnings, errors } = decodeConfigText(document.source, document.text)
    if (errors.length === 0) {
      if (previous?.rejected !== undefined) this.report(`${document.source}: valid again (resourceVersion ${resourceVersion})`)
      this.states.set(view.name, { name: view.name, resourceVersion, missingKey: false, inForce: { resourceVersion, documents, warnings } })
      return
    }
    const kept = previous?.inForce
    this.report(`${errors.map((e) => e.message).join("\n")}\n${document.source}: resourceVersion ${resourceVersion} rejected; ${kept === undefined ? "no earlier version was valid, so it is not used" : `the last good version (${kept.resourceVersion}) stays in force`}`)
    this.states.set(view.name, { name: view.name, resourceVersion, missingKey: false, ...(kept === undefined ? {} : { inForce: kept }), rejected: { resourceVersion, errors } })
  }

  /** A ConfigMap was deleted: it no longer counts, not even its last good version. */
  remove(object: unknown): void {
    const view = configMapView(object, this.origin)
    if (view === undefined) return
    this.configMaps.delete(view.name)
    this.states.delete(view.name)
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

  /** The documents in force, in cluster order; the same object until something changes. */
  documents(): LoadedDocuments {
    if (this.snapshot !== undefined) return this.snapshot
    const states = [...this.states.values()]
    const main = states.filter((s) => s.name === this.names.configMap)
    if (main.length === 0 && !this.reportedMissingMain) {
      this.reportedMissingMain = true
      this.report(`${this.origin}: ConfigMap ${this.names.configMap} not found; using the labelled ConfigMaps only`)
    }
    const labelled = states.filter((s) => s.name !== this.names.configMap).sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
    const ordered = [...main, ...labelled]
    const warnings = ordered.flatMap((s): ReadonlyArray<string> => [
      ...(s.inForce?.warnings ?? []),
      ...(s.missingKey ? [`${this.origin}: ConfigMap ${s.name} has no key ${this.names.key}; skipped`] : []),
      ...(s.rejected === undefined ? [] : [
        `${this.origin}: ConfigMap ${s.name} version ${s.rejected.resourceVersion} is invalid; ${s.inForce === undefined ? "skipped" : `version ${s.inForce.resourceVersion} stays in force`}`
      ])
    ])
    this.snapshot = { documents: ordered.flatMap((s) => s.inForce?.documents ?? []), warnings }
    return this.snapshot
  }

  /** The user's settings document, from the ConfigMap `jupyterhub-singleuser-profile-<user>`. */
  userSettings(user: string): DocumentText | undefined {
    const view = this.configMaps.get(userSettingsConfigMapName(user))
    return view === undefined ? undefined : documentOf(view, this.names.userSettingsKey)
  }

  /** The state of every configuration ConfigMap, for a server's status and readiness detail. */
  configMapStates(): ReadonlyArray<ConfigMapState> {
    return [...this.states.values()]
  }

  /** Every ConfigMap as last seen (users' settings included). */
  views(): ReadonlyArray<ConfigMapView> {
    return [...this.configMaps.values()]
  }
}
