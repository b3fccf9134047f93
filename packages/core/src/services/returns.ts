import type { Resolution } from "../merge/resolve.ts"
import { mergeContribution } from "../merge/merge.ts"

/** The environment variables one service's `return` produced (SPEC 7). */
export interface ServiceReturn {
  readonly service: string
  readonly env: ReadonlyArray<{ readonly name: string; readonly value: string }>
}

/** How a service is named in provenance (`explain`): `service:<name>`. */
export const serviceContributionName = (service: string): string => `service:${service}`

/**
 * Merges what services returned into a resolution, after everything else (SPEC 7): each
 * variable remembers the service that set it. Services are not profiles: the applied list is kept.
 */
export const withServiceReturns = (resolution: Resolution, returns: ReadonlyArray<ServiceReturn>): Resolution => {
  let merged = resolution.merged
  for (const { service, env } of returns) {
    if (env.length > 0) merged = mergeContribution(merged, { name: serviceContributionName(service), body: { env } })
  }
  return { ...resolution, merged: { ...merged, applied: resolution.merged.applied } }
}
