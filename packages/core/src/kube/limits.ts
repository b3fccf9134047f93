import { compareQuantities, parseQuantity } from "./quantity.ts"

/** A resource whose request is above its limit. */
export interface RequestAboveItsLimit {
  readonly resource: string
  readonly request: string
  readonly limit: string
}

/** Every resource requested above its limit (Kubernetes rejects such a container), in request order. */
export const requestsAboveLimits = (
  requests: Readonly<Record<string, string>>,
  limits: Readonly<Record<string, string>>
): ReadonlyArray<RequestAboveItsLimit> => {
  const found: Array<RequestAboveItsLimit> = []
  for (const [resource, request] of Object.entries(requests)) {
    const limit = limits[resource]
    if (limit === undefined) continue
    const requested = parseQuantity(request)
    const allowed = parseQuantity(limit)
    if (requested !== undefined && allowed !== undefined && compareQuantities(requested, allowed) > 0) found.push({ resource, request, limit })
  }
  return found
}
