import { loadConfiguration, sourceStatus } from "@jsp/core"
import { Effect, Result } from "effect"
import { json } from "./reply.ts"

/**
 * `GET /readyz`: ready when the source is synced and a configuration is in force. A ConfigMap or
 * file whose latest version failed to decode does not make the server unready while its last
 * good version serves: the detail names it and the version in force.
 */
export const readiness = Effect.gen(function*() {
  const status = yield* sourceStatus()
  const loaded = yield* Effect.result(loadConfiguration())
  const rejected = status.documents.filter((d) => d.rejected !== undefined && d.rejected.length > 0).map((d) => ({
    source: d.source,
    ...(d.inForce === undefined ? {} : { inForce: d.inForce }),
    problems: (d.rejected ?? []).map((r) => r.message)
  }))
  const reasons = [
    ...(status.synced ? [] : [`not synced with ${status.where}${status.lastError === undefined ? "" : `: ${status.lastError.message}`}`]),
    ...(Result.isFailure(loaded) ? [`no configuration in force: ${loaded.failure.message}`] : [])
  ]
  const ready = reasons.length === 0
  return json(ready ? 200 : 503, {
    ready,
    ...(ready ? {} : { reasons }),
    where: status.where,
    synced: status.synced,
    restarts: status.restarts,
    ...(status.lastError === undefined ? {} : { lastError: status.lastError.message }),
    rejected
  })
})
