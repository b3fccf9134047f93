import { Result } from "effect"
import type { Resources } from "../config/resources.ts"
import type { Size } from "../config/size.ts"
import type { Configuration } from "../decode/configuration.ts"
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

/** A size as a contribution merged after every profile (made once per size of a configuration). */
export const sizeContribution = (configuration: Configuration, size: Size): Contribution => {
  let contribution = configuration.caches.sizes.get(size)
  if (contribution === undefined) {
    contribution = { name: sizeContributionName(size.name), body: { resources: normaliseSizeResources(size.resources) } }
    configuration.caches.sizes.set(size, contribution)
  }
  return contribution
}

/** A size as the form and `jsp sizes` show it: its name and normalised resources. */
export interface SizeOption {
  readonly name: string
  readonly resources: Resources
}

/** The sizes a user may choose, normalised; a name defined twice is listed once, as its last definition (the one a spawn gets). */
export const sizeOptions = (sizes: ReadonlyArray<Size>): ReadonlyArray<SizeOption> =>
  [...new Map(sizes.map((s) => [s.name, { name: s.name, resources: normaliseSizeResources(s.resources) }])).values()]
