import type { SourceStatus } from "../ports.ts"

/**
 * How long a source may be stale and its server still ready (60 s). Longer than a watch takes to
 * come back after any one fault (a header deadline of 5 s, a backoff step of at most 30 s, a list
 * of at most twice the request timeout), shorter than an operator would want edits ignored.
 */
export const defaultStaleBoundMs = 60_000

/** Whether a server answering from a source should take traffic, and why, at one moment. */
export interface Readiness {
  readonly ready: boolean
  readonly reason: string
  /** How long the source had been stale at that moment. */
  readonly staleForMs?: number
  /** How long before that moment the newest event arrived. */
  readonly newestEventAgeMs?: number
}

const seconds = (ms: number): string => `${Number((ms / 1000).toFixed(1))} s`

const since = (iso: string | undefined, now: number): number | undefined => {
  if (iso === undefined) return undefined
  const at = Date.parse(iso)
  return Number.isNaN(at) ? undefined : Math.max(0, now - at)
}

/**
 * Ready while the source is synced, or stale for at most `boundMs` (its last good configuration
 * keeps serving either way); not ready beyond the bound, or when it never said since when.
 */
export const readiness = (status: SourceStatus, now: number, boundMs: number = defaultStaleBoundMs): Readiness => {
  const newestEventAgeMs = since(status.newestEventAt, now)
  const ages = newestEventAgeMs === undefined ? {} : { newestEventAgeMs }
  if (status.synced) return { ready: true, reason: `${status.where}: synced`, ...ages }
  const cause = status.staleReason ?? status.lastError?.detail ?? "no cause given"
  const staleForMs = since(status.staleSince, now)
  if (staleForMs === undefined) return { ready: false, reason: `${status.where}: not synced (${cause})`, ...ages }
  const within = staleForMs <= boundMs
  return {
    ready: within,
    reason: `${status.where}: stale for ${seconds(staleForMs)} (${cause}); ${within ? "within" : "beyond"} the bound of ${seconds(boundMs)}; the last good configuration keeps serving`,
    staleForMs,
    ...ages
  }
}
