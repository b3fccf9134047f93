import type { Configuration } from "../decode/configuration.ts"
import { type MergedProfile, mergeContributions } from "./merge.ts"

// Spawns keep matching the same few combinations of profiles, and a loaded configuration is
// immutable: merge each combination once. A trie keyed by the profiles' positions; when it holds
// too many combinations it starts afresh, so memory stays bounded however many users there are.
interface MergeNode {
  merged?: MergedProfile
  readonly next: Map<number, MergeNode>
}

/** The merges of one configuration, by combination of profile positions. */
export interface MergeCache {
  readonly root: MergeNode
  /** Combinations held. */
  size: number
}

/** Combinations one configuration keeps merged before starting afresh. */
export const maxMergesPerConfiguration = 4_096

/** The merge (SPEC 3) of the profiles at these positions, each combination merged once per configuration. */
export const mergeProfiles = (configuration: Configuration, selected: ReadonlyArray<number>): MergedProfile => {
  const caches = configuration.caches
  let cache = caches.merges
  if (cache === undefined || cache.size >= maxMergesPerConfiguration) {
    cache = { root: { next: new Map() }, size: 0 }
    caches.merges = cache
  }
  let node = cache.root
  for (const index of selected) {
    let child = node.next.get(index)
    if (child === undefined) {
      child = { next: new Map() }
      node.next.set(index, child)
    }
    node = child
  }
  if (node.merged === undefined) {
    node.merged = mergeContributions(selected.flatMap((i) => {
      const named = configuration.profiles[i]
      return named === undefined ? [] : [{ name: named.name, body: named.profile }]
    }))
    cache.size++
  }
  return node.merged
}
