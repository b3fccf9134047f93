import { Schema } from "effect"

/** A PersistentVolumeClaim mounted into the notebook container (SPEC 6). */
export const Volume = Schema.Struct({
  name: Schema.NonEmptyString,
  persistentVolumeClaim: Schema.Struct({
    claimName: Schema.String.pipe(Schema.check(Schema.isPattern(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/u, {
      expected: "the name of a PersistentVolumeClaim (lower-case letters, digits, '-' and '.')"
    }))),
    readOnly: Schema.optionalKey(Schema.Boolean)
  }),
  mountPath: Schema.optionalKey(Schema.String).annotate({
    description: "Absolute, or relative to the default mount path; default <default mount path>/<name>"
  })
}).annotate({ identifier: "Volume" })
export type Volume = typeof Volume.Type
