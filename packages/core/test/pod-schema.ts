import { Schema } from "effect"
import { Quantity } from "../src/config/resources.ts"

// Every level jsp reads is open: the keys it names are checked, every other key passes through as JSON.
const open = <F extends Schema.Struct.Fields>(fields: F) =>
  Schema.StructWithRest(Schema.Struct(fields), [Schema.Record(Schema.String, Schema.Json)])

const Named = open({ name: Schema.String })

/** The parts of a `v1/Container` the transform reads or writes. */
export const Container = open({
  name: Schema.String,
  image: Schema.optionalKey(Schema.String),
  env: Schema.optionalKey(Schema.Array(Named)),
  resources: Schema.optionalKey(open({
    requests: Schema.optionalKey(Schema.Record(Schema.String, Quantity)),
    limits: Schema.optionalKey(Schema.Record(Schema.String, Quantity))
  })),
  volumeMounts: Schema.optionalKey(Schema.Array(Named)),
  securityContext: Schema.optionalKey(open({}))
})
export type Container = typeof Container.Type

/** The parts of a `v1/Pod` the transform reads or writes; everything else is kept as it is. */
export const Pod = open({
  apiVersion: Schema.optionalKey(Schema.String),
  kind: Schema.optionalKey(Schema.String),
  metadata: Schema.optionalKey(open({
    name: Schema.optionalKey(Schema.String),
    labels: Schema.optionalKey(Schema.Record(Schema.String, Schema.String)),
    annotations: Schema.optionalKey(Schema.Record(Schema.String, Schema.String))
  })),
  spec: open({
    containers: Schema.NonEmptyArray(Container),
    volumes: Schema.optionalKey(Schema.Array(Named)),
    tolerations: Schema.optionalKey(Schema.Array(Schema.Json)),
    affinity: Schema.optionalKey(open({
      nodeAffinity: Schema.optionalKey(open({
        requiredDuringSchedulingIgnoredDuringExecution: Schema.optionalKey(Schema.Json),
        preferredDuringSchedulingIgnoredDuringExecution: Schema.optionalKey(Schema.Array(Schema.Json))
      }))
    }))
  })
}).annotate({ identifier: "Pod" })
export type Pod = typeof Pod.Type
