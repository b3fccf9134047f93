import { Schema, SchemaGetter } from "effect"
import { parseQuantity, quantityFromNumber, quantityPattern } from "../kube/quantity.ts"

/** A Kubernetes quantity; YAML numbers (`cpu: 1`, `cpu: 0.5`) are accepted and become strings. */
export const Quantity = Schema.Union([
  Schema.String,
  Schema.Finite.pipe(Schema.decodeTo(Schema.String, {
    decode: SchemaGetter.transform(quantityFromNumber),
    encode: SchemaGetter.transform(Number)
  }))
]).pipe(
  // The bound first: the JSON Schema keeps the annotations of the last check (the pattern).
  Schema.check(Schema.makeFilter((q: string) => !quantityPattern.test(q) || parseQuantity(q) !== undefined ||
    "expected a quantity Kubernetes can count: at most 2^63 - 1 in its base unit (about 8Ei), and no finer than 1e-1000")),
  Schema.check(Schema.isPattern(quantityPattern, { expected: "a Kubernetes quantity such as 500Mi or 250m" }))
).annotate({ identifier: "Quantity", description: "Kubernetes quantity, e.g. 500Mi, 2Gi, 250m, 1" })
export type Quantity = typeof Quantity.Type

/** A resource name: `cpu`, `memory`, `ephemeral-storage`, or an extended resource such as `nvidia.com/gpu`. */
export const ResourceName = Schema.String.pipe(Schema.check(Schema.isPattern(
  /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/u,
  { expected: "a resource name such as cpu, memory or nvidia.com/gpu" }
)))

/** Quantities by resource name. */
export const ResourceList = Schema.Record(ResourceName, Quantity)
export type ResourceList = typeof ResourceList.Type

/** Normalised requests and limits. */
export const Resources = Schema.Struct({
  requests: ResourceList,
  limits: ResourceList
})
export type Resources = typeof Resources.Type

const ResourcesInput = Schema.Struct({
  requests: Schema.optionalKey(ResourceList),
  limits: Schema.optionalKey(ResourceList),
  mem_limit: Schema.optionalKey(Quantity).annotate({ description: "Legacy: memory request and limit" }),
  cpu_limit: Schema.optionalKey(Quantity).annotate({ description: "Legacy: cpu request and limit" })
})

// Legacy mem_limit / cpu_limit set both request and limit; explicit requests/limits win over them.
const normaliseResources = (input: typeof ResourcesInput.Type): Resources => {
  const legacy: Record<string, Quantity> = {}
  if (input.mem_limit !== undefined) legacy["memory"] = input.mem_limit
  if (input.cpu_limit !== undefined) legacy["cpu"] = input.cpu_limit
  return {
    requests: { ...legacy, ...input.requests },
    limits: { ...legacy, ...input.limits }
  }
}

/** Kubernetes `ResourceRequirements` as written in profiles and sizes, legacy keys included. */
export const ResourceRequirements = ResourcesInput.pipe(Schema.decodeTo(Schema.toType(Resources), {
  decode: SchemaGetter.transform(normaliseResources),
  encode: SchemaGetter.transform((r: Resources) => ({ requests: r.requests, limits: r.limits }))
})).annotate({ identifier: "ResourceRequirements" })
