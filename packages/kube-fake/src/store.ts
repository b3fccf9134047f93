import { randomUUID } from "node:crypto"
import { apiVersionOf, type ResourceType } from "./resources.ts"
import { matchesSelector, type Requirement } from "./selectors.ts"

/** A stored object: plain JSON. */
export type KubeObject = Record<string, unknown>

/** A watch event as sent on the wire. */
export interface WatchEvent {
  readonly type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR"
  readonly object: KubeObject
}

interface Change {
  readonly rv: number
  readonly type: ResourceType
  readonly namespace: string
  readonly kind: "ADDED" | "MODIFIED" | "DELETED"
  readonly object: KubeObject
  readonly previous?: KubeObject
}

/** Someone watching one kind of object in one namespace. */
export interface Watcher {
  readonly type: ResourceType
  readonly namespace: string
  readonly selector: ReadonlyArray<Requirement>
  readonly send: (event: WatchEvent) => void
}

const metadataOf = (object: KubeObject): Record<string, unknown> => {
  const m = object["metadata"]
  return typeof m === "object" && m !== null && !Array.isArray(m) ? { ...m } : {}
}
const labelsOf = (object: KubeObject | undefined): Record<string, string> => {
  const labels = object === undefined ? undefined : metadataOf(object)["labels"]
  if (typeof labels !== "object" || labels === null) return {}
  return Object.fromEntries(Object.entries(labels).filter((e): e is [string, string] => typeof e[1] === "string"))
}
export const nameOf = (object: KubeObject): string => String(metadataOf(object)["name"] ?? "")
export const uidOf = (object: KubeObject): string => String(metadataOf(object)["uid"] ?? "")

const keyOf = (type: ResourceType, namespace: string, name: string) => `${type.group}/${type.plural}/${namespace}/${name}`
const now = () => new Date().toISOString().replace(/\.\d{3}Z$/u, "Z")

/** Objects, one global resourceVersion counter, a change log for watches, and garbage collection. */
export class Store {
  private revision = 1000
  private readonly objects = new Map<string, KubeObject>()
  private readonly changes: Array<Change> = []
  private oldestRetained = 1000
  readonly watchers = new Set<Watcher>()

  get resourceVersion(): string {
    return String(this.revision)
  }

  get oldestResourceVersion(): number {
    return this.oldestRetained
  }

  get(type: ResourceType, namespace: string, name: string): KubeObject | undefined {
    return this.objects.get(keyOf(type, namespace, name))
  }

  list(type: ResourceType, namespace: string, selector: ReadonlyArray<Requirement>): ReadonlyArray<KubeObject> {
    const prefix = keyOf(type, namespace, "")
    return [...this.objects.entries()]
      .filter(([key, object]) => key.startsWith(prefix) && matchesSelector(labelsOf(object), selector))
      .map(([, object]) => object)
      .sort((a, b) => nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : 0)
  }

  /** Stores a new object: uid, resourceVersion, creationTimestamp, namespace; CRs get generation 1. */
  create(type: ResourceType, namespace: string, body: KubeObject, persist = true): KubeObject {
    const metadata = metadataOf(body)
    delete metadata["uid"]
    delete metadata["creationTimestamp"]
    const object: KubeObject = {
      ...body,
      apiVersion: apiVersionOf(type),
      kind: type.kind,
      metadata: {
        ...metadata,
        namespace,
        uid: randomUUID(),
        resourceVersion: String(persist ? ++this.revision : this.revision + 1),
        creationTimestamp: now(),
        ...(type.custom ? { generation: 1 } : {})
      }
    }
    if (persist) this.write(type, namespace, "ADDED", object, undefined)
    return object
  }

  /** Replaces an object; identical content is not a write (same resourceVersion, no event). */
  replace(type: ResourceType, namespace: string, existing: KubeObject, body: KubeObject): KubeObject {
    const old = metadataOf(existing)
    const metadata = metadataOf(body)
    const candidate: KubeObject = {
      ...body,
      apiVersion: apiVersionOf(type),
      kind: type.kind,
      metadata: { ...metadata, namespace, uid: old["uid"], creationTimestamp: old["creationTimestamp"], resourceVersion: old["resourceVersion"], ...(type.custom ? { generation: old["generation"] } : {}) }
    }
    if (JSON.stringify(candidate) === JSON.stringify(existing)) return existing
    const specChanged = JSON.stringify({ ...candidate, metadata: undefined }) !== JSON.stringify({ ...existing, metadata: undefined })
    const object: KubeObject = {
      ...candidate,
      metadata: {
        ...metadataOf(candidate),
        resourceVersion: String(++this.revision),
        ...(type.custom ? { generation: Number(old["generation"] ?? 1) + (specChanged ? 1 : 0) } : {})
      }
    }
    this.write(type, namespace, "MODIFIED", object, existing)
    return object
  }

  remove(type: ResourceType, namespace: string, existing: KubeObject): void {
    const object = { ...existing, metadata: { ...metadataOf(existing), resourceVersion: String(++this.revision) } }
    this.objects.delete(keyOf(type, namespace, nameOf(existing)))
    this.record({ rv: this.revision, type, namespace, kind: "DELETED", object, previous: existing })
  }

  /** Deletes every object whose owners (by uid, same namespace) are all gone; repeats until stable. */
  collectGarbage(types: ReadonlyArray<ResourceType>): number {
    let collected = 0
    for (;;) {
      const uids = new Map<string, Set<string>>()
      for (const [key, object] of this.objects) {
        const namespace = key.split("/")[2] ?? ""
        const set = uids.get(namespace) ?? new Set<string>()
        set.add(uidOf(object))
        uids.set(namespace, set)
      }
      const orphan = [...this.objects.entries()].find(([key, object]) => {
        const owners = metadataOf(object)["ownerReferences"]
        if (!Array.isArray(owners) || owners.length === 0) return false
        const present = uids.get(key.split("/")[2] ?? "") ?? new Set()
        return owners.every((o: unknown) => typeof o !== "object" || o === null || !present.has(String(Reflect.get(o, "uid"))))
      })
      if (orphan === undefined) return collected
      const [key, object] = orphan
      const [group, plural, namespace] = key.split("/")
      const type = types.find((t) => t.group === group && t.plural === plural)
      if (type === undefined) {
        this.objects.delete(key)
      } else {
        this.remove(type, namespace ?? "", object)
      }
      collected++
    }
  }

  /** Forgets the change log: a watch from any resourceVersion before now then gets 410 Gone (one from now has nothing to miss). */
  compact(): void {
    this.changes.length = 0
    this.oldestRetained = this.revision
  }

  /** The changes after a resourceVersion, for a watch that resumes from it. */
  changesSince(type: ResourceType, namespace: string, rv: number): ReadonlyArray<Change> {
    return this.changes.filter((c) => c.rv > rv && c.type === type && c.namespace === namespace)
  }

  private write(type: ResourceType, namespace: string, kind: "ADDED" | "MODIFIED", object: KubeObject, previous: KubeObject | undefined): void {
    this.objects.set(keyOf(type, namespace, nameOf(object)), object)
    this.record({ rv: this.revision, type, namespace, kind, object, ...(previous === undefined ? {} : { previous }) })
  }

  private record(change: Change): void {
    this.changes.push(change)
    if (this.changes.length > 10_000) {
      const dropped = this.changes.splice(0, 1_000)
      this.oldestRetained = dropped.at(-1)?.rv ?? this.oldestRetained
    }
    for (const watcher of this.watchers) {
      if (watcher.type !== change.type || watcher.namespace !== change.namespace) continue
      const event = eventFor(change, watcher.selector)
      if (event !== undefined) watcher.send(event)
    }
  }
}

/** What a watcher with this selector sees of a change: objects entering or leaving the selection are ADDED or DELETED. */
export const eventFor = (change: Change, selector: ReadonlyArray<Requirement>): WatchEvent | undefined => {
  const now = change.kind === "DELETED" ? false : matchesSelector(labelsOf(change.object), selector)
  const before = change.previous === undefined ? false : matchesSelector(labelsOf(change.previous), selector)
  if (change.kind === "DELETED") return before ? { type: "DELETED", object: change.object } : undefined
  if (now && before) return { type: "MODIFIED", object: change.object }
  if (now) return { type: "ADDED", object: change.object }
  if (before) return { type: "DELETED", object: change.object }
  return undefined
}
