import fc from "fast-check"
import type { Json, JsonObject } from "../src/index.ts"

/** Valid Kubernetes quantities of every form. */
export const quantity = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 99_999 }), fc.constantFrom("", "m", "k", "M", "G", "Ki", "Mi", "Gi", "Ti")).map(([n, u]) => `${n}${u}`),
  fc.tuple(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 999 }), fc.constantFrom("", "Gi", "M")).map(([a, b, u]) => `${a}.${b}${u}`),
  fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 12 })).map(([m, e]) => `${m}e${e}`),
  // The edges: tiny fractions, the largest suffixes, long digit strings, the very limit (2^63 - 1).
  fc.constantFrom("1n", "0.000000001", "1e-9", "1e-30", "0.000000000000000000000000000001Gi", "7Ei", "8E", "9E", "1e18",
    "9223372036854775807", "9223372036854775807000m", "8388607Ti", "0.5Ei", "00000000000000000000000000000042", "1.000000000000000000001")
)

const envName = fc.constantFrom("A", "B", "C", "PATH", "JUPYTERHUB_USER", "MEM_LIMIT", "X_1")
const envVar = fc.record({ name: envName, value: fc.string({ maxLength: 8 }) })
const resourceName = fc.constantFrom("cpu", "memory", "nvidia.com/gpu", "ephemeral-storage")
const resourceList = fc.dictionary(resourceName, quantity, { maxKeys: 3 })
const toleration = fc.record({
  key: fc.constantFrom("a", "b", "gpu"),
  operator: fc.constantFrom("Exists", "Equal"),
  effect: fc.constantFrom("NoSchedule", "NoExecute")
}, { requiredKeys: ["key"] })
const term = fc.record({ matchExpressions: fc.array(fc.record({ key: fc.constantFrom("zone", "disk"), operator: fc.constantFrom("In", "NotIn"), values: fc.array(fc.constantFrom("x", "y"), { minLength: 1, maxLength: 2 }) }), { maxLength: 2 }) })
const volume = fc.record({
  name: fc.constantFrom("data", "Shared Data", "scratch"),
  persistentVolumeClaim: fc.record({ claimName: fc.constantFrom("c1", "c2"), readOnly: fc.boolean() }, { requiredKeys: ["claimName"] }),
  mountPath: fc.constantFrom("/mnt/x", "rel/path", "")
}, { requiredKeys: ["name", "persistentVolumeClaim"] })

/** What a profile contributes, as it would be written in YAML (encoded form). */
export const profileBody = fc.record({
  env: fc.array(envVar, { maxLength: 4 }),
  resources: fc.record({ requests: resourceList, limits: resourceList }, { requiredKeys: [] }),
  node_tolerations: fc.array(toleration, { maxLength: 2 }),
  node_affinity: fc.record({
    requiredDuringSchedulingIgnoredDuringExecution: fc.record({ nodeSelectorTerms: fc.array(term, { minLength: 1, maxLength: 2 }) }),
    preferredDuringSchedulingIgnoredDuringExecution: fc.array(fc.record({ weight: fc.integer({ min: 1, max: 100 }), preference: term }), { maxLength: 2 })
  }, { requiredKeys: [] }),
  volumes: fc.array(volume, { maxLength: 2 }),
  gpu: fc.integer({ min: 0, max: 4 })
}, { requiredKeys: [] })

/** A configuration document with profiles that match or not, sizes and GPU types. */
export const configDocument = fc.record({
  profiles: fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 6 }), profileBody, fc.option(fc.constantFrom(["u1"], ["*"], ["nobody"]), { nil: undefined }))
    .map(([name, body, users]) => ({ name, ...body, ...(users === undefined ? {} : { users }) })), { maxLength: 5 }),
  sizes: fc.array(fc.record({ name: fc.constantFrom("S", "M"), resources: fc.record({ requests: resourceList, limits: resourceList }, { requiredKeys: [] }) }), { maxLength: 2 }),
  gpuTypes: fc.array(fc.record({ type: fc.constantFrom("a100", "t4"), node_tolerations: fc.array(toleration, { maxLength: 2 }) }), { maxLength: 2 })
})

const jsonLeaf: fc.Arbitrary<Json> = fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.boolean(), fc.constant(null))
const unknownFields: fc.Arbitrary<JsonObject> = fc.dictionary(fc.constantFrom("zz", "extra", "x-custom", "future"), fc.oneof(jsonLeaf, fc.array(jsonLeaf, { maxLength: 3 })), { maxKeys: 2 })

const uniqueByName = <A extends { readonly name: string }>(items: ReadonlyArray<A>): ReadonlyArray<A> =>
  items.filter((item, i) => items.findIndex((other) => other.name === item.name) === i)

const container = (name: string) => fc.tuple(
  fc.array(envVar, { maxLength: 4 }).map(uniqueByName),
  fc.record({ requests: resourceList, limits: resourceList }, { requiredKeys: [] }),
  unknownFields,
  fc.boolean()
).map(([env, resources, extra, withResources]): JsonObject => ({
  ...extra,
  name,
  image: "quay.io/org/s2i-minimal-notebook:1",
  env,
  ...(withResources ? { resources } : {})
}))

/** A pod as a spawner might send it, with fields jsp does not model. */
export const pod: fc.Arbitrary<JsonObject> = fc.tuple(
  fc.constantFrom(["notebook"], ["notebook", "sidecar"], ["proxy", "notebook"], ["main"]).chain((names) => fc.tuple(...names.map(container))),
  unknownFields,
  unknownFields,
  fc.array(toleration, { maxLength: 2 }),
  fc.dictionary(fc.constantFrom("app", "component", "team"), fc.string({ maxLength: 5 }), { maxKeys: 2 })
).map(([containers, specExtra, podExtra, tolerations, labels]): JsonObject => ({
  ...podExtra,
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "jupyter-x", labels, annotations: { "hub.jupyter.org/username": "u1" } },
  spec: { ...specExtra, containers, ...(tolerations.length > 0 ? { tolerations } : {}) }
}))

/** User names of every kind: unicode, quotes, HTML, newlines, very long. */
export const userName = fc.oneof(
  fc.string({ minLength: 1, maxLength: 20 }),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 20 }),
  fc.constantFrom("u1", "Ada Lovelace", "<script>alert(1)</script>", "o'brien\"", "a\nb", "--", "a--b", "user@example.com", "x".repeat(1000), "ÄÖÜ", "-lead", "trail-", "ALLCAPS")
)

/**
 * Text an attacker would put in a user name or a service's configuration value: Liquid, YAML and
 * JSON syntax, quotes, newlines, control characters, unicode, 1,000 characters.
 */
export const hostileText = fc.oneof(
  userName,
  fc.constantFrom(
    "{{ user }}", "{{ 7 | plus: 1 }}", "{% raw %}x", "{% assign user = 'root' %}{{ user }}", "{% for i in (1..3) %}x{% endfor %}",
    "{% include '/etc/passwd' %}", "{% render 'x' %}", "}}{{", "{{", "{%", "\"; rm -rf /", "'", "$(id)", "`id`", "a: b\nc: [d]",
    "---\nkind: Secret", "&a [*a, *a]", "!!js/function 'f'", "{\"apiVersion\": \"v1\", \"kind\": \"Secret\"}", "[1, {\"a\": null}]",
    "# comment", "key: {{ user }}", "x".repeat(1_000), "{{ user }}".repeat(100)
  ),
  fc.json(),
  fc.array(fc.constantFrom("{{", "}}", "{%", "%}", "\"", "'", "\n", "\r", ": ", "- ", "#", "&", "*", "!", "|", ">", "[", "]", "{", "}", ",", "user", "é", "\u0000", " ", "\\"), { maxLength: 40 })
    .map((parts) => parts.join("")),
  fc.string({ minLength: 900, maxLength: 1_000 })
)
