import { Schema, SchemaGetter } from "effect"
import { EnvValue, EnvVar } from "./kubernetes.ts"

const EnvMap = Schema.Record(Schema.NonEmptyString, EnvValue).pipe(Schema.decodeTo(Schema.toType(Schema.Array(EnvVar)), {
  decode: SchemaGetter.transform((map) => Object.entries(map).map(([name, value]) => ({ name, value }))),
  encode: SchemaGetter.transform((list) => Object.fromEntries(list.map((e) => [e.name, e.value ?? ""])))
}))

/** Environment variables: a list of `EnvVar`s, or the legacy map `{NAME: value}`. */
export const Env = Schema.Union([Schema.Array(EnvVar), EnvMap]).annotate({
  expected: "a list of {name, value} entries or a map of NAME: value"
})
export type Env = typeof Env.Type
