import { Schema, SchemaGetter } from "effect"

const KeySelector = Schema.Struct({
  name: Schema.String,
  key: Schema.String,
  optional: Schema.optionalKey(Schema.Boolean)
})

/** Kubernetes `EnvVarSource`. */
export const EnvVarSource = Schema.Struct({
  secretKeyRef: Schema.optionalKey(KeySelector),
  configMapKeyRef: Schema.optionalKey(KeySelector),
  fieldRef: Schema.optionalKey(Schema.Struct({
    apiVersion: Schema.optionalKey(Schema.String),
    fieldPath: Schema.String
  })),
  resourceFieldRef: Schema.optionalKey(Schema.Struct({
    containerName: Schema.optionalKey(Schema.String),
    resource: Schema.String,
    divisor: Schema.optionalKey(Schema.Union([Schema.String, Schema.Finite]))
  }))
}).annotate({ identifier: "EnvVarSource" })

/** An env value: YAML turns `value: 80` or `value: true` into non-strings and `value:` into null; Kubernetes wants strings. */
export const EnvValue = Schema.Union([
  Schema.String,
  Schema.Union([Schema.Finite, Schema.Boolean]).pipe(Schema.decodeTo(Schema.String, {
    decode: SchemaGetter.String(),
    encode: SchemaGetter.transform((s: string) => s === "true" || s === "false" ? s === "true" : Number(s))
  })),
  Schema.Null.pipe(Schema.decodeTo(Schema.String, {
    decode: SchemaGetter.transform(() => ""),
    encode: SchemaGetter.transform(() => null)
  }))
])

/**
 * What every Kubernetes version accepts as an environment variable name (`IsEnvVarName`): a
 * letter, `_`, `-` or `.`, then those or digits. Newer API servers may relax it; jsp keeps the rule
 * that every cluster enforces, so what `validate` accepts, the cluster accepts.
 */
export const envNamePattern = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/u

/** An environment variable name, by Kubernetes' rule. */
export const EnvName = Schema.String.pipe(Schema.check(Schema.isPattern(envNamePattern, {
  expected: "an environment variable name (letters, digits, '_', '-', '.'; not starting with a digit)"
})))

/** Kubernetes `EnvVar`: a plain value or a value from a Secret, ConfigMap, field or resource. */
export const EnvVar = Schema.Struct({
  name: EnvName,
  value: Schema.optionalKey(EnvValue),
  valueFrom: Schema.optionalKey(EnvVarSource.check(Schema.makeFilter((source) =>
    Object.keys(source).length === 1 || "expected exactly one of secretKeyRef, configMapKeyRef, fieldRef, resourceFieldRef")))
}).check(Schema.makeFilter((env) =>
  env.value === undefined || env.valueFrom === undefined || { path: ["valueFrom"], issue: "may not be given together with value" }
)).annotate({ identifier: "EnvVar" })
export type EnvVar = typeof EnvVar.Type

/** Kubernetes `Toleration`. */
export const Toleration = Schema.Struct({
  key: Schema.optionalKey(Schema.String),
  operator: Schema.optionalKey(Schema.Literals(["Exists", "Equal"])),
  value: Schema.optionalKey(Schema.String),
  effect: Schema.optionalKey(Schema.Literals(["NoSchedule", "PreferNoSchedule", "NoExecute", ""])),
  tolerationSeconds: Schema.optionalKey(Schema.Int)
}).check(Schema.makeFilter((t) =>
  t.operator !== "Exists" || t.value === undefined || t.value === "" || { path: ["value"], issue: "must be empty when operator is Exists" }
)).annotate({ identifier: "Toleration" })
export type Toleration = typeof Toleration.Type

// Kubernetes' own rules: In/NotIn need values, Exists/DoesNotExist none, Gt/Lt one integer.
const requirementRule = (r: { readonly operator: string; readonly values?: ReadonlyArray<string> }): true | { path: ReadonlyArray<PropertyKey>; issue: string } => {
  const values = r.values ?? []
  switch (r.operator) {
    case "In":
    case "NotIn":
      return values.length > 0 || { path: ["values"], issue: `must not be empty when operator is ${r.operator}` }
    case "Exists":
    case "DoesNotExist":
      return values.length === 0 || { path: ["values"], issue: `must be empty when operator is ${r.operator}` }
    default:
      return (values.length === 1 && /^-?[0-9]+$/u.test(values[0] ?? "")) || { path: ["values"], issue: `must be a single integer when operator is ${r.operator}` }
  }
}

const NodeSelectorRequirement = Schema.Struct({
  key: Schema.String,
  operator: Schema.Literals(["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"]),
  values: Schema.optionalKey(Schema.Array(Schema.String))
}).check(Schema.makeFilter(requirementRule))

/** Kubernetes `NodeSelectorTerm`. */
export const NodeSelectorTerm = Schema.Struct({
  matchExpressions: Schema.optionalKey(Schema.Array(NodeSelectorRequirement)),
  matchFields: Schema.optionalKey(Schema.Array(NodeSelectorRequirement))
}).annotate({ identifier: "NodeSelectorTerm" })

/** Kubernetes `NodeSelector` (terms are ORed). */
export const NodeSelector = Schema.Struct({ nodeSelectorTerms: Schema.Array(NodeSelectorTerm) })
export type NodeSelector = typeof NodeSelector.Type

/** Kubernetes `PreferredSchedulingTerm`. */
export const PreferredSchedulingTerm = Schema.Struct({
  weight: Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1, maximum: 100 }))),
  preference: NodeSelectorTerm
})
export type PreferredSchedulingTerm = typeof PreferredSchedulingTerm.Type

/** Kubernetes `NodeAffinity`. */
export const NodeAffinity = Schema.Struct({
  requiredDuringSchedulingIgnoredDuringExecution: Schema.optionalKey(NodeSelector),
  preferredDuringSchedulingIgnoredDuringExecution: Schema.optionalKey(Schema.Array(PreferredSchedulingTerm))
}).annotate({ identifier: "NodeAffinity" })
export type NodeAffinity = typeof NodeAffinity.Type
