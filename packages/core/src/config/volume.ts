import { Schema } from "effect"

// A relative mount path stays under the default mount path: `a/../b` is fine, `../etc` is not.
const staysUnderBase = (path: string): true | string => {
  if (path.startsWith("/")) return true
  let depth = 0
  for (const segment of path.split("/")) {
    if (segment === "..") depth--
    else if (segment !== "" && segment !== ".") depth++
    if (depth < 0) return `a relative mountPath must stay under the default mount path; "${path}" climbs out of it with '..'`
  }
  return true
}

/** A PersistentVolumeClaim mounted into the notebook container (SPEC 6). */
export const Volume = Schema.Struct({
  name: Schema.NonEmptyString,
  persistentVolumeClaim: Schema.Struct({
    claimName: Schema.String.pipe(Schema.check(Schema.isPattern(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/u, {
      expected: "the name of a PersistentVolumeClaim (lower-case letters, digits, '-' and '.')"
    }))),
    readOnly: Schema.optionalKey(Schema.Boolean)
  }),
  mountPath: Schema.optionalKey(Schema.String.pipe(Schema.check(Schema.makeFilter(staysUnderBase)))).annotate({
    description: "Absolute, or relative to the default mount path (without climbing out of it with '..'); default <default mount path>/<name>"
  })
}).annotate({ identifier: "Volume" })
export type Volume = typeof Volume.Type
