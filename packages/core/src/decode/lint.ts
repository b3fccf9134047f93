import { combineDocuments, type SourcedDocument } from "./configuration.ts"
import type { Resources } from "../config/resources.ts"
import { InvalidDocument, type Problem } from "../errors/errors.ts"
import { compareQuantities, parseQuantity } from "../kube/quantity.ts"
import { normaliseSizeResources } from "../merge/sizes.ts"

const requestsAboveLimits = (resources: Resources, at: string): ReadonlyArray<Problem> =>
  Object.entries(resources.requests).flatMap(([name, request]) => {
    const limit = resources.limits[name]
    const requested = parseQuantity(request)
    const allowed = limit === undefined ? undefined : parseQuantity(limit)
    return requested !== undefined && allowed !== undefined && compareQuantities(requested, allowed) > 0
      ? [{ path: `${at}.requests.${name}`, message: `request ${request} is above the limit ${limit}` }]
      : []
  })

/**
 * Checks across a whole configuration that no single document can show: a size or profile
 * requesting more than its own limit (an error: Kubernetes would reject every such pod), and
 * names defined twice (a warning: the later one wins).
 */
export const lintDocuments = (documents: ReadonlyArray<SourcedDocument>): { readonly errors: ReadonlyArray<InvalidDocument>; readonly warnings: ReadonlyArray<string> } => {
  const configuration = combineDocuments(documents)
  const errors: Array<InvalidDocument> = []
  const warnings: Array<string> = []
  const seenProfiles = new Map<string, string>()
  for (const { name, source, profile } of configuration.profiles) {
    const earlier = seenProfiles.get(name)
    if (earlier !== undefined) warnings.push(`${source}: profile "${name}" is also defined in ${earlier}; explain cannot tell them apart`)
    seenProfiles.set(name, source)
    if (profile.resources !== undefined) {
      const problems = requestsAboveLimits(profile.resources, `profile "${name}" resources`)
      if (problems.length > 0) errors.push(new InvalidDocument({ source, problems }))
    }
  }
  const seenSizes = new Set<string>()
  for (const { source, document } of documents) {
    for (const size of document.sizes ?? []) {
      if (seenSizes.has(size.name)) warnings.push(`${source}: size "${size.name}" is defined more than once; the last one wins`)
      seenSizes.add(size.name)
      const problems = requestsAboveLimits(normaliseSizeResources(size.resources), `size "${size.name}" resources`)
      if (problems.length > 0) errors.push(new InvalidDocument({ source, problems }))
    }
  }
  return { errors, warnings }
}
