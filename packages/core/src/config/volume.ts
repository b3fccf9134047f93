import { Schema } from "effect"

/** A PersistentVolumeClaim mounted into the notebook container (SPEC 6). */
export const Volume = Schema.Struct({
  name: Schema.NonEmptyString,
  persistentVolumeClaim: Schema.Struct({
    claimName: Schema.NonEmptyString,
    readOnly: Schema.optionalKey(Schema.Boolean)
  }),
  mountPath: Schema.optionalKey(Schema.String).annotate({
    description: "Absolute, or relative to the default mount path; default <default mount path>/<name>"
  })
}).annotate({ identifier: "Volume" })
export type Volume = typeof Volume.Type
