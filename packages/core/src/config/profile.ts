import { Schema } from "effect"
import { NonNegativeInt } from "./count.ts"
import { Env } from "./env.ts"
import { NodeAffinity, Toleration } from "./kubernetes.ts"
import { ResourceRequirements } from "./resources.ts"
import { Service } from "./service.ts"
import { Volume } from "./volume.ts"

/** A GPU count. */
export const GpuCount = NonNegativeInt

/** What a profile (or a size, or the user's settings) contributes to a pod. */
export const ProfileBody = Schema.Struct({
  env: Schema.optionalKey(Env),
  resources: Schema.optionalKey(ResourceRequirements),
  node_tolerations: Schema.optionalKey(Schema.Array(Toleration)),
  node_affinity: Schema.optionalKey(NodeAffinity),
  volumes: Schema.optionalKey(Schema.Array(Volume)),
  services: Schema.optionalKey(Schema.Record(Schema.String, Service)),
  gpu: Schema.optionalKey(GpuCount)
})
export type ProfileBody = typeof ProfileBody.Type

/** A profile (SPEC 2): who and which images it is for, and what it contributes. */
export const Profile = Schema.Struct({
  name: Schema.optionalKey(Schema.NonEmptyString.annotate({ description: "Shown by explain and in the applied-profiles annotation" })),
  images: Schema.optionalKey(Schema.Array(Schema.NonEmptyString).annotate({
    description: "Image references, last path segments, tagless names or * globs; absent or empty: every image"
  })),
  users: Schema.optionalKey(Schema.Array(Schema.String).annotate({ description: "User names, or \"*\"; absent or empty: every user" })),
  groups: Schema.optionalKey(Schema.Array(Schema.String).annotate({ description: "JupyterHub group names" })),
  ...ProfileBody.fields
}).annotate({ identifier: "Profile" })
export type Profile = typeof Profile.Type
