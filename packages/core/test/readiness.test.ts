import { describe, expect, it } from "vitest"
import { defaultStaleBoundMs, readiness, SourceUnavailable, type SourceStatus } from "../src/index.ts"

const now = Date.parse("2026-01-01T00:10:00.000Z")
const base: SourceStatus = { where: "cluster https://k namespace odh", synced: true, restarts: 0, documents: [] }
const stale = (secondsAgo: number): SourceStatus => ({
  ...base,
  synced: false,
  staleSince: new Date(now - secondsAgo * 1000).toISOString(),
  staleReason: "watch configmaps: cannot reach the API server (fetch failed); trying again in 0.5 s"
})

describe("readiness of a server answering from a source", () => {
  it("is ready while synced, and gives the age of the newest event", () => {
    expect(readiness({ ...base, newestEventAt: new Date(now - 1_500).toISOString() }, now)).toEqual({ ready: true, reason: "cluster https://k namespace odh: synced", newestEventAgeMs: 1_500 })
  })

  it("stays ready while stale within the bound, and turns not ready beyond it, saying why", () => {
    expect(readiness(stale(59), now)).toMatchObject({ ready: true, staleForMs: 59_000, reason: /stale for 59 s \(watch configmaps: cannot reach the API server .*\); within the bound of 60 s/u })
    expect(readiness(stale(61), now)).toMatchObject({ ready: false, staleForMs: 61_000, reason: /beyond the bound of 60 s; the last good configuration keeps serving/u })
    expect(readiness(stale(5), now, 2_000).ready).toBe(false)
    expect(defaultStaleBoundMs).toBe(60_000)
  })

  it("is not ready when not synced and it is not known since when (a file source that failed)", () => {
    const lastError = new SourceUnavailable({ source: "conf.yaml", reason: "not-found", detail: "no such file" })
    expect(readiness({ ...base, synced: false, lastError }, now)).toEqual({ ready: false, reason: "cluster https://k namespace odh: not synced (no such file)" })
    expect(readiness({ ...base, synced: false, staleSince: "not a date" }, now).ready).toBe(false)
  })
})
