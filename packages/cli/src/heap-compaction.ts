import { type DocumentStatus, loadConfiguration, sourceStatus } from "@jsp/core"
import { Duration, Effect, Schedule } from "effect"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"

/**
 * A full, memory-reducing collection of V8's heap, or undefined where V8 offers none.
 *
 * Reading a large configuration (yaml's syntax tree and document nodes for a 2 MB document) grows
 * the heap to ~250 MiB for ~20 MiB that stays alive, and V8 keeps those pages resident: nothing
 * it does by itself collects them in a server that then only answers requests (docs/decisions.md,
 * "Memory of jsp serve"). A "last-resort" collection compacts the heap, shrinks the young
 * generation and gives the pages back. `bin/jsp` and the image start `serve` with `--expose-gc`:
 * `gc` is taken and taken off the global object, so that nothing else calls it. Started
 * otherwise (`node main.mjs serve`), the flag is set now — which Node documents as possibly
 * unstable once running — and exposes `gc` only to contexts made afterwards: a context of its own
 * hands it over.
 */
export const heapCompactor = (): (() => void) | undefined => {
  const exposed: unknown = Reflect.get(globalThis, "gc")
  let gc: unknown = exposed
  if (typeof exposed === "function") {
    Reflect.deleteProperty(globalThis, "gc")
  } else {
    setFlagsFromString("--expose-gc")
    gc = runInNewContext("typeof gc === 'function' ? gc : undefined")
  }
  if (typeof gc !== "function") return undefined
  return () => {
    gc({ type: "major", execution: "sync", flavor: "last-resort" })
  }
}

/** What a look at the source saw: each document's version, so that a reload shows as a change. */
const versionsOf = (documents: ReadonlyArray<DocumentStatus>): string =>
  documents.map((d) => `${d.source}\u0000${d.version ?? ""}\u0000${d.inForce ?? ""}\u0000${d.rejected?.length ?? 0}`).join("\u0001")

/** When to compact: how often the source is looked at, and the least time between two compactions. */
export interface CompactionTimings {
  readonly everyMs?: number
  readonly minIntervalMs?: number
  /** How long without a request counts as idle (default 5 s). */
  readonly idleMs?: number
  /** How much resident memory may grow past what the last compaction left before an idle server compacts (default 16 MiB). */
  readonly growthBytes?: number
}

/** What the server has done, as compaction reads it: requests answered so far, and resident memory now. */
export interface ServerActivity {
  readonly answered: () => number
  readonly residentBytes: () => number
}

/**
 * Compacts the heap now, once the configuration in force is combined (the combination and its
 * index are the rest of a load's garbage), so that a server starts small; then, in a fiber of the
 * scope, each time the configuration in force is new and has settled: synced, the same documents
 * at two looks in a row (a burst of edits compacts once, after it). With `activity`, also when
 * the server has gone idle after answering requests and its resident memory has grown by
 * `growthBytes` since the last compaction: a burst of admissions leaves promoted garbage and grown
 * malloc pools that V8 would otherwise keep until the next burst. At most once per
 * `minIntervalMs` (default 30 s) after start-up, since a compaction stops every request for
 * 100-250 ms. A configuration that fails to load is not waited for: the last good one serves.
 */
export const keepHeapCompact = Effect.fnUntraced(function*(compact: () => void, timings: CompactionTimings = {}, activity?: ServerActivity) {
  const minIntervalMs = timings.minIntervalMs ?? 30_000
  const idleMs = timings.idleMs ?? 5_000
  const growthBytes = timings.growthBytes ?? 16 * 1024 * 1024
  let previous: string | undefined
  let compacted: string | undefined
  let lastAt = Number.NEGATIVE_INFINITY
  let residentAfter = activity?.residentBytes() ?? 0
  let answered = activity?.answered() ?? 0
  let answeredAt = Date.now()
  let busy = false
  const compactNow = (first: boolean) => {
    compact()
    lastAt = first ? Number.NEGATIVE_INFINITY : Date.now()
    if (activity !== undefined) residentAfter = activity.residentBytes()
    busy = false
  }
  const idle = (now: number): boolean => {
    if (activity === undefined) return false
    const count = activity.answered()
    if (count !== answered) {
      answered = count
      answeredAt = now
      busy = true
      return false
    }
    return busy && now - answeredAt >= idleMs && activity.residentBytes() - residentAfter >= growthBytes
  }
  const look = (first: boolean) => Effect.gen(function*() {
    const status = yield* sourceStatus()
    const versions = versionsOf(status.documents)
    const settled = status.synced && (first || versions === previous)
    previous = versions
    const now = Date.now()
    const quiet = idle(now)
    if (now - lastAt < minIntervalMs) return
    if (settled && versions !== compacted) {
      yield* Effect.ignore(loadConfiguration())
      compactNow(first)
      compacted = versions
    } else if (quiet) {
      compactNow(false)
    }
  })
  yield* look(true)
  yield* Effect.forkScoped(Effect.repeat(look(false), Schedule.spaced(Duration.millis(timings.everyMs ?? 1_000))))
})
