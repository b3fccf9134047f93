import type { EnvVar, NodeSelector, PreferredSchedulingTerm, Toleration } from "./config/kubernetes.ts"
import type { ProfileBody } from "./config/profile.ts"
import type { Quantity } from "./config/resources.ts"
import type { Service } from "./config/service.ts"
import type { Volume } from "./config/volume.ts"
import { canonicalJson } from "./json.ts"

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

// Later replaces earlier in place (same key); new keys are appended.
const replaceByKey = <A>(existing: ReadonlyArray<A>, added: ReadonlyArray<A>, key: (a: A) => string): ReadonlyArray<A> => {
  const result = [...existing]
  const index = new Map(result.map((item, i) => [key(item), i]))
  for (const item of added) {
    const at = index.get(key(item))
    if (at === undefined) {
      index.set(key(item), result.length)
      result.push(item)
    } else {
      result[at] = item
    }
  }
  return result
}

// Exact duplicates (as data) are dropped; provenance stays with the first.
const concatDistinct = <A>(existing: ReadonlyArray<Sourced<A>>, added: ReadonlyArray<Sourced<A>>): ReadonlyArray<Sourced<A>> => {
  const seen = new Set(existing.map((s) => canonicalJson(s.value)))
  return [...existing, ...added.filter((s) => {
    const key = canonicalJson(s.value)
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })]
}

const sourced = <A>(from: string) => (value: A): Sourced<A> => ({ value, from })

const mergeQuantities = (
  existing: Readonly<Record<string, Sourced<Quantity>>>,
  added: Readonly<Record<string, Quantity>> | undefined,
  from: string
): Readonly<Record<string, Sourced<Quantity>>> => {
  if (added === undefined || Object.keys(added).length === 0) return existing
  const result = { ...existing }
  for (const [name, value] of Object.entries(added)) result[name] = { value, from }
  return result
}

/** Merges one contribution into the result so far: later wins, nothing is duplicated (SPEC 3). */
export const mergeContribution = (merged: MergedProfile, contribution: Contribution): MergedProfile => {
  const { name: from, body } = contribution
  const affinity = body.node_affinity
  const required = affinity?.requiredDuringSchedulingIgnoredDuringExecution
  const nodeAffinity = {
    ...(required !== undefined ? { required: { value: required, from } }
      : merged.nodeAffinity.required !== undefined ? { required: merged.nodeAffinity.required } : {}),
    preferred: concatDistinct(merged.nodeAffinity.preferred,
      (affinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map(sourced(from)))
  }
  const gpu = body.gpu !== undefined ? { value: body.gpu, from } : merged.gpu
  return {
    applied: [...merged.applied, from],
    env: replaceByKey(merged.env, (body.env ?? []).map(sourced(from)), (e) => e.value.name),
    resources: {
      requests: mergeQuantities(merged.resources.requests, body.resources?.requests, from),
      limits: mergeQuantities(merged.resources.limits, body.resources?.limits, from)
    },
    tolerations: concatDistinct(merged.tolerations, (body.node_tolerations ?? []).map(sourced(from))),
    nodeAffinity,
    volumes: replaceByKey(merged.volumes, (body.volumes ?? []).map(sourced(from)), (v) => v.value.name),
    services: replaceByKey(merged.services,
      Object.entries(body.services ?? {}).map(([name, service]) => ({ value: { name, service }, from })),
      (s) => s.value.name),
    ...(gpu === undefined ? {} : { gpu })
  }
}

/** Merges contributions in order (SPEC 3). */
export const mergeContributions = (contributions: ReadonlyArray<Contribution>): MergedProfile =>
  contributions.reduce(mergeContribution, emptyMergedProfile)
