import { loadConfiguration, readiness as sourceReadiness, sourceStatus } from "@jsp/core"
import { Effect, Result } from "effect"
import { json } from "./reply.ts"

/**
 * `GET /readyz`: ready when a configuration is in force and the source is synced, or stale
 * within the bound (core's `readiness`: 60 s by default) — the last good configuration keeps
 * serving either way. A ConfigMap or file whose latest version failed to decode does not make
 * the server unready while its last good version serves: the detail names it and the version in
 * force.
 */
export const readiness = (staleBoundMs?: number) => Effect.gen(function*() {
  const status = yield* sourceStatus()
  const loaded = yield* Effect.result(loadConfiguration())
  const fresh = sourceReadiness(status, Date.now(), staleBoundMs)
  const rejected = status.documents.filter((d) => d.rejected !== undefined && d.rejected.length > 0).map((d) => ({
    source: d.source,
    ...(d.inForce === undefined ? {} : { inForce: d.inForce }),
    problems: (d.rejected ?? []).map((r) => r.message)
  }))
  const reasons = [
    ...(fresh.ready ? [] : [fresh.reason]),
    ...(Result.isFailure(loaded) ? [`no configuration in force: ${loaded.failure.message}`] : [])
  ]
  const ready = reasons.length === 0
  return json(ready ? 200 : 503, {
    ready,
    ...(ready ? {} : { reasons }),
    source: fresh.reason,
    where: status.where,
    synced: status.synced,
    ...(status.staleSince === undefined ? {} : { staleSince: status.staleSince }),
    ...(status.staleReason === undefined ? {} : { staleReason: status.staleReason }),
    ...(status.newestEventAt === undefined ? {} : { newestEventAt: status.newestEventAt }),
    restarts: status.restarts,
    ...(status.restartsBy === undefined ? {} : { restartsBy: status.restartsBy }),
    ...(status.lastError === undefined ? {} : { lastError: status.lastError.message }),
    rejected
  })
})
