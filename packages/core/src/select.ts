import type { Profile } from "./config/profile.ts"

/** Who is spawning what: the inputs of profile selection (SPEC 2). */
export interface Spawn {
  readonly user: string
  readonly groups: ReadonlyArray<string>
  readonly image: string
}

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

const globCache = new Map<string, RegExp>()
const globToRegExp = (glob: string): RegExp => {
  let re = globCache.get(glob)
  if (re === undefined) {
    re = new RegExp(`^${glob.split("*").map((part) => part.replace(/[.*+?^${}()|[\]\\]/gu, "\\$&")).join(".*")}$`, "u")
    if (globCache.size > 10_000) globCache.clear()
    globCache.set(glob, re)
  }
  return re
}

const sameAs = (entry: string) => entry.includes("*") ? (candidate: string) => globToRegExp(entry).test(candidate) : (candidate: string) => candidate === entry

/** Whether one `images` entry matches an image: equal, equal to its last path segment, tagless, or a `*` glob. */
export const imageEntryMatches = (entry: string, image: string): boolean => {
  const forms = imageForms(image)
  const matches = sameAs(entry)
  return hasTag(entry)
    ? matches(forms.full) || matches(forms.lastSegment)
    : matches(forms.fullUntagged) || matches(forms.lastSegmentUntagged)
}

/** Whether a profile applies to a spawn (SPEC 2): images, then users or groups. */
export const profileMatches = (profile: Profile, spawn: Spawn): boolean => {
  const images = profile.images ?? []
  if (images.length > 0 && !images.some((entry) => imageEntryMatches(entry, spawn.image))) return false
  const users = profile.users ?? []
  const groups = profile.groups ?? []
  if (users.length === 0 && groups.length === 0) return true
  const listedAsUser = users.includes("*") || users.includes(spawn.user)
  const listedByGroup = groups.some((group) => spawn.groups.includes(group))
  return listedAsUser || listedByGroup
}
