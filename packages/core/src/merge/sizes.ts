import { Result } from "effect"
import type { Resources } from "../config/resources.ts"
import type { Size } from "../config/size.ts"
import { UnknownSize } from "../errors/errors.ts"
import type { Contribution } from "./merge.ts"

/** How a size is named in provenance and in the applied-profiles annotation. */
export const sizeContributionName = (size: string): string => `size:${size}`

/** Only requests given → limits = requests; only limits → requests = limits (SPEC 4). */
export const normaliseSizeResources = ({ requests, limits }: Resources): Resources => ({
  requests: Object.keys(requests).length === 0 ? limits : requests,
  limits: Object.keys(limits).length === 0 ? requests : limits
})

/** The size with this name (the last one, when several documents define it), or UnknownSize listing the known ones. */
export const findSize = (sizes: ReadonlyArray<Size>, name: string): Result.Result<Size, UnknownSize> => {
  const size = sizes.findLast((s) => s.name === name)
  return size === undefined
    ? Result.fail(new UnknownSize({ size: name, known: [...new Set(sizes.map((s) => s.name))] }))
    : Result.succeed(size)
}

const contributions = new WeakMap<Size, Contribution>()

/** A size as a contribution merged after every profile (made once per size). */
export const sizeContribution = (size: Size): Contribution => {
  let contribution = contributions.get(size)
  if (contribution === undefined) {
    contribution = { name: sizeContributionName(size.name), body: { resources: normaliseSizeResources(size.resources) } }
    contributions.set(size, contribution)
  }
  return contribution
}
