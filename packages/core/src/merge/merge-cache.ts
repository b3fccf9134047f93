import type { NamedProfile } from "../decode/configuration.ts"
import { type MergedProfile, mergeContributions } from "./merge.ts"

// Spawns keep matching the same few combinations of profiles, and a loaded configuration is
// immutable: merge each combination once. Per configuration, a trie keyed by the profiles'
// positions; when it holds too many combinations it starts afresh, so memory stays bounded
// however many users there are.
interface MergeNode {
  merged?: MergedProfile
  readonly next: Map<number, MergeNode>
}
interface MergeCache {
  root: MergeNode
  size: number
}
const maxMergesPerConfiguration = 4_096
const merges = new WeakMap<ReadonlyArray<NamedProfile>, MergeCache>()

/** The merge (SPEC 3) of the profiles at these positions, each combination merged once per configuration. */
export const mergeProfiles = (profiles: ReadonlyArray<NamedProfile>, selected: ReadonlyArray<number>): MergedProfile => {
  let cache = merges.get(profiles)
  if (cache === undefined || cache.size >= maxMergesPerConfiguration) {
    cache = { root: { next: new Map() }, size: 0 }
    merges.set(profiles, cache)
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
      const named = profiles[i]
      return named === undefined ? [] : [{ name: named.name, body: named.profile }]
    }))
    cache.size++
  }
  return node.merged
}
