import type { Profile } from "../config/profile.ts"
import type { Configuration, NamedProfile } from "../decode/configuration.ts"
import { globMatches } from "../internal/glob.ts"
import type { Spawn } from "./spawn.ts"

/** Who is spawning what: the inputs of profile selection (SPEC 2). */
export type Selector = Pick<Spawn, "user" | "groups" | "image">

/** An image reference split into the forms an `images` entry may match. */
interface ImageForms {
  readonly full: string
  readonly lastSegment: string
  readonly fullUntagged: string
  readonly lastSegmentUntagged: string
}

// The tag (or digest) starts at the first ':' or '@' of the last path segment; a registry port
// (`registry:5000/...`) sits in an earlier segment and is not a tag.
const untag = (segment: string): string => {
  const at = segment.search(/[:@]/u)
  return at === -1 ? segment : segment.slice(0, at)
}

const lastSegmentOf = (ref: string): string => ref.slice(ref.lastIndexOf("/") + 1)

const hasTag = (ref: string): boolean => /[:@]/u.test(lastSegmentOf(ref))

const imageForms = (image: string): ImageForms => {
  const lastSegment = lastSegmentOf(image)
  const lastSegmentUntagged = untag(lastSegment)
  return {
    full: image,
    lastSegment,
    fullUntagged: image.slice(0, image.length - lastSegment.length) + lastSegmentUntagged,
    lastSegmentUntagged
  }
}

const entryMatchesForms = (entry: string, forms: ImageForms): boolean => {
  return hasTag(entry)
    ? globMatches(entry, forms.full) || globMatches(entry, forms.lastSegment)
    : globMatches(entry, forms.fullUntagged) || globMatches(entry, forms.lastSegmentUntagged)
}

/** Whether one `images` entry matches an image: equal, equal to its last path segment, tagless, or a `*` glob. */
export const imageEntryMatches = (entry: string, image: string): boolean => entryMatchesForms(entry, imageForms(image))

const imagesMatch = (profile: Profile, forms: ImageForms): boolean => {
  const images = profile.images ?? []
  return images.length === 0 || images.some((entry) => entryMatchesForms(entry, forms))
}

/** Whether a profile applies to a spawn (SPEC 2): images, then users or groups. */
export const profileMatches = (profile: Profile, spawn: Selector): boolean => {
  if (!imagesMatch(profile, imageForms(spawn.image))) return false
  const users = profile.users ?? []
  const groups = profile.groups ?? []
  if (users.length === 0 && groups.length === 0) return true
  const listedAsUser = users.includes("*") || users.includes(spawn.user)
  const listedByGroup = groups.some((group) => spawn.groups.includes(group))
  return listedAsUser || listedByGroup
}

/** Which profiles of one document can match whom, by position in it: a spawn looks only at its candidates. */
interface SelectionIndex {
  readonly everyone: ReadonlyArray<number>
  readonly byUser: ReadonlyMap<string, ReadonlyArray<number>>
  readonly byGroup: ReadonlyMap<string, ReadonlyArray<number>>
}

const addTo = (map: Map<string, Array<number>>, key: string, index: number): void => {
  const list = map.get(key)
  if (list === undefined) map.set(key, [index])
  else if (list.at(-1) !== index) list.push(index)
}

const buildIndex = (profiles: ReadonlyArray<Profile>): SelectionIndex => {
  const everyone: Array<number> = []
  const byUser = new Map<string, Array<number>>()
  const byGroup = new Map<string, Array<number>>()
  profiles.forEach((profile, index) => {
    const users = profile.users ?? []
    const groups = profile.groups ?? []
    if ((users.length === 0 && groups.length === 0) || users.includes("*")) {
      everyone.push(index)
      return
    }
    for (const user of users) addTo(byUser, user, index)
    for (const group of groups) addTo(byGroup, group, index)
  })
  return { everyone, byUser, byGroup }
}

// A decoded document is immutable and outlives the configurations it is combined into: each is
// indexed once, so an edit of one document does not index the others again (a 2,000-profile
// document with 50,000 users took ~25 ms, while spawns waited).
const indexes = new WeakMap<ReadonlyArray<Profile>, SelectionIndex>()

const indexOf = (profiles: ReadonlyArray<Profile>): SelectionIndex => {
  const known = indexes.get(profiles)
  if (known !== undefined) return known
  const built = buildIndex(profiles)
  indexes.set(profiles, built)
  return built
}

/** The positions of the profiles that apply to a spawn (SPEC 2), in document order. */
export const selectProfileIndices = (configuration: Configuration, spawn: Selector): ReadonlyArray<number> => {
  const forms = imageForms(spawn.image)
  const selected: Array<number> = []
  for (const { start, profiles } of configuration.documentProfiles) {
    const index = indexOf(profiles)
    const candidates = new Set(index.everyone)
    for (const i of index.byUser.get(spawn.user) ?? []) candidates.add(i)
    for (const group of spawn.groups) for (const i of index.byGroup.get(group) ?? []) candidates.add(i)
    for (const i of [...candidates].sort((a, b) => a - b)) {
      const profile = profiles[i]
      if (profile !== undefined && imagesMatch(profile, forms)) selected.push(start + i)
    }
  }
  return selected
}

/** The profiles that apply to a spawn (SPEC 2), in document order. */
export const selectProfiles = (configuration: Configuration, spawn: Selector): ReadonlyArray<NamedProfile> =>
  selectProfileIndices(configuration, spawn).flatMap((i) => configuration.profiles[i] ?? [])
