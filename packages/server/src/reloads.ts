import { type DocumentStatus, sourceStatus } from "@jsp/core"
import { Duration, Effect, Schedule } from "effect"
import type { ServerMetrics } from "./metrics.ts"

const versionOf = (d: DocumentStatus): string => `${d.version ?? ""}\u0000${d.rejected?.length ?? 0}`

/**
 * Counts configuration reloads for `/metrics`: each document whose version changed since the last
 * look is a reload — `ok` when it took effect, `error` when it was rejected (the last good version
 * serving on). Looks at the source's status once a second, which costs no API call.
 */
export const countReloads = (metrics: ServerMetrics, every: Duration.Input = Duration.seconds(1)) => {
  let seen: Map<string, string> | undefined
  const look = Effect.map(sourceStatus(), (status) => {
    const now = new Map(status.documents.map((d) => [d.source, versionOf(d)]))
    if (seen !== undefined) {
      for (const d of status.documents) {
        if (seen.get(d.source) === now.get(d.source)) continue
        metrics.reloads.inc({ outcome: d.rejected !== undefined && d.rejected.length > 0 ? "error" : "ok" })
      }
    }
    seen = now
  })
  return Effect.repeat(look, Schedule.spaced(every))
}
