import { Schema } from "effect"
import { NonNegativeInt as Count } from "./count.ts"

/** GPU selector of the spawner form; its maximum caps what users may ask for. */
export const GpuConfig = Schema.Struct({
  enabled: Schema.optionalKey(Schema.Boolean),
  type: Schema.optionalKey(Schema.Literals(["dropdown", "checkbox", "input"])),
  clusterGpuCount: Schema.optionalKey(Count),
  gpuCheckbox: Schema.optionalKey(Schema.Struct({ value: Schema.optionalKey(Count) })),
  gpuDropdown: Schema.optionalKey(Schema.Struct({ start: Schema.optionalKey(Count), end: Schema.optionalKey(Count) })),
  gpuInput: Schema.optionalKey(Schema.Struct({ limit: Schema.optionalKey(Count) }))
})
export type GpuConfig = typeof GpuConfig.Type

/** Spawner form settings (SPEC 1, `ui`). */
export const Ui = Schema.Struct({
  imageConfig: Schema.optionalKey(Schema.Struct({
    whitelist: Schema.optionalKey(Schema.Array(Schema.String)),
    blacklist: Schema.optionalKey(Schema.Array(Schema.String)),
    sort: Schema.optionalKey(Schema.Literals(["name", "version"]))
  })),
  sizeConfig: Schema.optionalKey(Schema.Struct({ enabled: Schema.optionalKey(Schema.Boolean) })),
  gpuConfig: Schema.optionalKey(GpuConfig),
  envVarConfig: Schema.optionalKey(Schema.Struct({
    enabled: Schema.optionalKey(Schema.Boolean),
    categories: Schema.optionalKey(Schema.Array(Schema.Struct({
      name: Schema.String,
      variables: Schema.optionalKey(Schema.Array(Schema.Struct({
        name: Schema.NonEmptyString,
        type: Schema.optionalKey(Schema.Literals(["text", "password"]))
      })))
    })))
  }))
}).annotate({ identifier: "Ui" })
export type Ui = typeof Ui.Type
