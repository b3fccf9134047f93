import { formatWarning, type Resolution, type ServicesResult, servicesUp, warning } from "@jsp/core"
import { Effect } from "effect"
import type { ServerMetrics } from "./metrics.ts"

/**
 * The services step of a spawn the server makes (SPEC 7): deploys them, and when that fails
 * the notebook still starts — without the variables the services would have returned, and with
 * a warning saying why — since a pod refused for a Spark cluster's sake helps nobody.
 */
export const spawnServices = (metrics: ServerMetrics) => (resolution: Resolution) => {
  const count = resolution.merged.services.length
  if (count === 0) return Effect.succeed<ServicesResult>({ returns: [], warnings: [] })
  return servicesUp(resolution).pipe(
    Effect.tap(() => Effect.sync(() => metrics.services.inc({ outcome: "deployed" }, count))),
    Effect.catch((error) => {
      const failed = warning("services", `not deployed: ${error.message}`)
      metrics.services.inc({ outcome: "failed" }, count)
      return Effect.as(Effect.logWarning(`services of ${resolution.spawn.user}: ${formatWarning(failed)}`), { returns: [], warnings: [failed] } satisfies ServicesResult)
    })
  )
}
