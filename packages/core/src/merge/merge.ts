import type { EnvVar, NodeSelector, PreferredSchedulingTerm, Toleration } from "../config/kubernetes.ts"
import type { ProfileBody } from "../config/profile.ts"
import type { Quantity } from "../config/resources.ts"
import type { Service } from "../config/service.ts"
import type { Volume } from "../config/volume.ts"
import { canonicalJson } from "../internal/json.ts"

/** A value and the name of the profile, size or user settings that set it (provenance). */
export interface Sourced<A> {
  readonly value: A
  readonly from: string
}

/** Something merged into a spawn: a profile, the user's settings, or a size. */
export interface Contribution {
  readonly name: string
  readonly body: ProfileBody
}

/** The result of merging every contribution (SPEC 3), each value with its provenance. */
export interface MergedProfile {
  /** Names of what was merged, in order. */
  readonly applied: ReadonlyArray<string>
  readonly env: ReadonlyArray<Sourced<EnvVar>>
  readonly resources: {
    readonly requests: Readonly<Record<string, Sourced<Quantity>>>
    readonly limits: Readonly<Record<string, Sourced<Quantity>>>
  }
  readonly tolerations: ReadonlyArray<Sourced<Toleration>>
  readonly nodeAffinity: {
    readonly required?: Sourced<NodeSelector>
    readonly preferred: ReadonlyArray<Sourced<PreferredSchedulingTerm>>
  }
  readonly volumes: ReadonlyArray<Sourced<Volume>>
  readonly services: ReadonlyArray<Sourced<{ readonly name: string; readonly service: Service }>>
  readonly gpu?: Sourced<number>
}

/** Nothing merged yet. */
export const emptyMergedProfile: MergedProfile = {
  applied: [],
  env: [],
  resources: { requests: {}, limits: {} },
  tolerations: [],
  nodeAffinity: { preferred: [] },
  volumes: [],
  services: []
}

/** Merges contributions in order into a result so far: later wins, nothing is duplicated (SPEC 3). */
export const mergeInto = (start: MergedProfile, contributions: ReadonlyArray<Contribution>): MergedProfile => {
  if (contributions.length === 0) return start
  // One pass with local, mutable accumulators: a spawn merges on every pod creation.
  const applied = [...start.applied]
  // A Map keeps a key's first position when it is set again: "replaces in place, new names appended".
  const env = new Map(start.env.map((e) => [e.value.name, e]))
  const requests = { ...start.resources.requests }
  const limits = { ...start.resources.limits }
  const tolerations = [...start.tolerations]
  const tolerationKeys = new Set(tolerations.map((t) => canonicalJson(t.value)))
  let required = start.nodeAffinity.required
  const preferred = [...start.nodeAffinity.preferred]
  const preferredKeys = new Set(preferred.map((p) => canonicalJson(p.value)))
  const volumes = new Map(start.volumes.map((v) => [v.value.name, v]))
  const services = new Map(start.services.map((s) => [s.value.name, s]))
  let gpu = start.gpu
  for (const { name: from, body } of contributions) {
    applied.push(from)
    for (const value of body.env ?? []) env.set(value.name, { value, from })
    for (const [resource, value] of Object.entries(body.resources?.requests ?? {})) requests[resource] = { value, from }
    for (const [resource, value] of Object.entries(body.resources?.limits ?? {})) limits[resource] = { value, from }
    for (const value of body.node_tolerations ?? []) {
      const key = canonicalJson(value)
      if (!tolerationKeys.has(key)) {
        tolerationKeys.add(key)
        tolerations.push({ value, from })
      }
    }
    const affinity = body.node_affinity
    if (affinity?.requiredDuringSchedulingIgnoredDuringExecution !== undefined) {
      required = { value: affinity.requiredDuringSchedulingIgnoredDuringExecution, from }
    }
    for (const value of affinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
      const key = canonicalJson(value)
      if (!preferredKeys.has(key)) {
        preferredKeys.add(key)
        preferred.push({ value, from })
      }
    }
    for (const value of body.volumes ?? []) volumes.set(value.name, { value, from })
    for (const [name, service] of Object.entries(body.services ?? {})) services.set(name, { value: { name, service }, from })
    if (body.gpu !== undefined) gpu = { value: body.gpu, from }
  }
  return {
    applied,
    env: [...env.values()],
    resources: { requests, limits },
    tolerations,
    nodeAffinity: { ...(required === undefined ? {} : { required }), preferred },
    volumes: [...volumes.values()],
    services: [...services.values()],
    ...(gpu === undefined ? {} : { gpu })
  }
}

/** Merges one contribution into the result so far (SPEC 3). */
export const mergeContribution = (merged: MergedProfile, contribution: Contribution): MergedProfile =>
  mergeInto(merged, [contribution])

/** Merges contributions in order (SPEC 3). */
export const mergeContributions = (contributions: ReadonlyArray<Contribution>): MergedProfile =>
  mergeInto(emptyMergedProfile, contributions)
