import { Schema } from "effect"
import { Toleration } from "./kubernetes.ts"
import { ResourceRequirements } from "./resources.ts"

/** A named container size (SPEC 4). */
export const Size = Schema.Struct({
  name: Schema.NonEmptyString,
  resources: ResourceRequirements
}).annotate({ identifier: "Size" })
export type Size = typeof Size.Type

/** Tolerations added when a GPU of this type is requested. */
export const GpuType = Schema.Struct({
  type: Schema.NonEmptyString,
  node_tolerations: Schema.Array(Toleration)
}).annotate({ identifier: "GpuType" })
export type GpuType = typeof GpuType.Type
