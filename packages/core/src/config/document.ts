import { Schema } from "effect"
import { Profile } from "./profile.ts"
import { GpuType, Size } from "./size.ts"
import { Ui } from "./ui.ts"

/** One configuration document (SPEC 1); every key optional. */
export const ConfigDocument = Schema.Struct({
  profiles: Schema.optionalKey(Schema.Array(Profile)),
  sizes: Schema.optionalKey(Schema.Array(Size)),
  gpuTypes: Schema.optionalKey(Schema.Array(GpuType)),
  ui: Schema.optionalKey(Ui)
}).annotate({
  title: "jsp configuration document",
  expected: "a configuration document (a mapping with profiles, sizes, gpuTypes or ui)"
})
export type ConfigDocument = typeof ConfigDocument.Type
