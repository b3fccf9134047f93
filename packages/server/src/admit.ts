import { applySpawn, isJsonObject, type JspError, outcomeOf, podUsername, type SpawnOptions, warning } from "@jsp/core"
import { Effect } from "effect"
import { type AdmissionDecision, type AdmissionRequest, isPodCreate, podPatch } from "./admission.ts"
import type { ServerMetrics } from "./metrics.ts"
import { spawnServices } from "./spawn-services.ts"

/** How the webhook treats what it cannot do. */
export interface WebhookSettings {
  /** An internal error lets the pod through unchanged, with a warning (default), rather than refusing it. */
  readonly failOpen: boolean
  readonly spawn: SpawnOptions
}

/** What happened to one admission request, as the metrics and the log count it. */
export type AdmissionOutcome = "patched" | "unchanged" | "skipped" | "failed-open" | "denied"

/** One request's decision, with what the log says of it. */
export interface Admitted {
  readonly decision: AdmissionDecision
  readonly outcome: AdmissionOutcome
  readonly user?: string
}

const skipped: Admitted = { decision: { allowed: true, warnings: [] }, outcome: "skipped" }

const failed = (error: JspError, user: string, settings: WebhookSettings): Admitted => {
  const outcome = outcomeOf(error)
  return settings.failOpen
    ? { decision: { allowed: true, warnings: [warning("jsp", `profiles not applied: ${error.message}`)] }, outcome: "failed-open", user }
    : { decision: { allowed: false, code: outcome.httpStatus, message: `jsp: ${error.message}`, warnings: [] }, outcome: "denied", user }
}

/**
 * Decides one admission request (the webhook, `POST /mutate`): a single-user Pod being created
 * gets its profiles, size and services applied as `jsp apply` would (the user, size and GPU type
 * from its annotations, the image from its notebook container); anything else passes untouched.
 * On a dry run nothing is created, so services are left out.
 */
export const admit = (request: AdmissionRequest, settings: WebhookSettings, metrics: ServerMetrics) => {
  if (!isPodCreate(request)) return Effect.succeed(skipped)
  const pod = request.object
  const user = podUsername(pod)
  if (user === undefined || !isJsonObject(pod)) return Effect.succeed(skipped)
  const services = request.dryRun === true ? undefined : spawnServices(metrics)
  return applySpawn(pod, {}, { ...settings.spawn, unknownSize: "warn" }, services).pipe(
    Effect.map(({ pod: result, resolution }): Admitted => {
      const patch = podPatch(pod, result)
      return { decision: { allowed: true, patch, warnings: resolution.warnings }, outcome: patch.length === 0 ? "unchanged" : "patched", user }
    }),
    Effect.catch((error) => Effect.succeed(failed(error, user, settings)))
  )
}
