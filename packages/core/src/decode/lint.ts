import { combineDocuments, type SourcedDocument } from "./configuration.ts"
import type { Resources } from "../config/resources.ts"
import { InvalidDocument, type Problem } from "../errors/errors.ts"
import { type Warning, warning } from "../errors/warning.ts"
import { requestsAboveLimits } from "../kube/limits.ts"
import { normaliseSizeResources } from "../merge/sizes.ts"

const requestsAboveOwnLimits = (resources: Resources, at: string): ReadonlyArray<Problem> =>
  requestsAboveLimits(resources.requests, resources.limits).map(({ resource, request, limit }) =>
    ({ path: `${at}.requests.${resource}`, message: `request ${request} is above the limit ${limit}` }))

/**
 * Checks across a whole configuration that no single document can show: a size or profile
 * requesting more than its own limit (an error: Kubernetes would reject every such pod), and
 * names defined twice (a warning: the later one wins).
 */
export const lintDocuments = (documents: ReadonlyArray<SourcedDocument>): { readonly errors: ReadonlyArray<InvalidDocument>; readonly warnings: ReadonlyArray<Warning> } => {
  const configuration = combineDocuments(documents)
  const errors: Array<InvalidDocument> = []
  const warnings: Array<Warning> = []
  const seenProfiles = new Map<string, string>()
  for (const { name, source, profile } of configuration.profiles) {
    const earlier = seenProfiles.get(name)
    if (earlier !== undefined) warnings.push(warning(source, `profile "${name}" is also defined in ${earlier}; explain cannot tell them apart`))
    seenProfiles.set(name, source)
    if (profile.resources !== undefined) {
      const problems = requestsAboveOwnLimits(profile.resources, `profile "${name}" resources`)
      if (problems.length > 0) errors.push(new InvalidDocument({ source, problems }))
    }
  }
  const seenSizes = new Set<string>()
  for (const { source, document } of documents) {
    for (const size of document.sizes ?? []) {
      if (seenSizes.has(size.name)) warnings.push(warning(source, `size "${size.name}" is defined more than once; the last one wins`))
      seenSizes.add(size.name)
      const problems = requestsAboveOwnLimits(normaliseSizeResources(size.resources), `size "${size.name}" resources`)
      if (problems.length > 0) errors.push(new InvalidDocument({ source, problems }))
    }
  }
  return { errors, warnings }
}
