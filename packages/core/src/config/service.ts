import { Schema } from "effect"

/** A template reference: ConfigMap `name`, key `path`. */
export const ServiceResource = Schema.Struct({
  name: Schema.NonEmptyString.annotate({ description: "ConfigMap holding the template" }),
  path: Schema.NonEmptyString.annotate({ description: "Key of the template in the ConfigMap" })
})

/** When a service is ready: the JSONPath on the live object equals the value. */
export const ServiceReady = Schema.Struct({
  path: Schema.NonEmptyString,
  equals: Schema.Union([Schema.String, Schema.Finite, Schema.Boolean]),
  timeoutSeconds: Schema.optionalKey(Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1, maximum: 3600 }))))
})

/** A per-user service (SPEC 7): objects rendered from templates, living as long as the server. */
export const Service = Schema.Struct({
  resources: Schema.Array(ServiceResource),
  configuration: Schema.optionalKey(Schema.Record(Schema.String, Schema.Json)),
  labels: Schema.optionalKey(Schema.Record(Schema.String, Schema.String)),
  return: Schema.optionalKey(Schema.Record(Schema.String, Schema.String).annotate({
    description: "Environment variable name → JSONPath on the created object"
  })),
  ready: Schema.optionalKey(ServiceReady)
}).annotate({ identifier: "Service" })
export type Service = typeof Service.Type
