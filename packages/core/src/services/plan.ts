import { Result } from "effect"
import { Liquid, toValue } from "liquidjs"
import type { Service } from "../config/service.ts"
import { parseYamlDocuments } from "../decode/yaml.ts"
import { isJsonArray, isJsonObject, type Json, type JsonObject } from "../internal/json.ts"
import { serviceOwnerUserAnnotation } from "../kube/annotations.ts"
import { toDnsLabel } from "../kube/names.ts"
import type { KubeObject, OwnerReference } from "../ports.ts"
import type { DocumentText } from "../sources/config-maps.ts"
import { ServiceTemplateError } from "./template-error.ts"

/** The name of a user's reference ConfigMap, which owns their service objects (SPEC 7). */
export const serviceOwnerName = (user: string): string => `singleuser-service-ref-${toDnsLabel(user)}`

/** A user's reference ConfigMap as it is created: empty, labelled as jsp's, annotated with whose it is. */
export const serviceOwnerObject = (user: string): KubeObject =>
  ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: serviceOwnerName(user), labels: { [managedByLabel]: "jsp" }, annotations: { [serviceOwnerUserAnnotation]: user } }
  })

/** The label on what jsp creates: `app.kubernetes.io/managed-by=jsp`. */
export const managedByLabel = "app.kubernetes.io/managed-by"

/** One object a service submits, and the template it came from. */
export interface PlannedObject {
  readonly service: string
  readonly configMap: string
  readonly key: string
  readonly object: KubeObject
}

// Liquid only looks values up (no JavaScript runs); unknown variables and filters are errors; and
// `{% include %}`/`{% render %}` find no files: a template never reads the server's disk.
const noFiles = {
  exists: () => Promise.resolve(false),
  existsSync: () => false,
  readFile: () => Promise.reject(new Error("templates may not include files")),
  readFileSync: () => { throw new Error("templates may not include files") },
  resolve: (_dir: string, file: string) => file
}
// An object or list from `configuration` written out whole (`{{ resources }}`) is its JSON, not
// Liquid's "[object Object]"; anything else is text as Liquid writes it (its drops by their value,
// nil as nothing).
const objectsAsJson = (output: unknown): string => {
  const value: unknown = toValue(output)
  if (Array.isArray(value) || (typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype)) return JSON.stringify(value)
  return value === null || value === undefined ? "" : String(value)
}
const liquid = new Liquid({
  strictVariables: true,
  strictFilters: true,
  ownPropertyOnly: true,
  cache: true,
  fs: noFiles,
  relativeReference: false,
  outputEscape: objectsAsJson
})

// A template written for the original (rendered as text, then parsed) may have `key: {{ x }}`: as
// YAML that is a flow mapping, not a value, and it fails to parse. Say how to fix it.
const unquotedExpression = /(?:^|[:-])\s+\{\{/u
const quoteHint = "an unquoted {{ … }} where a whole value stands is a YAML mapping, not text: quote the expression, e.g. \"{{ user }}\""

const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/u

/**
 * Renders every string value of a parsed template with Liquid: a value can never change the
 * document's structure, and what a variable holds is never rendered again.
 */
const renderValues = (value: Json, variables: Readonly<Record<string, Json>>): Json => {
  if (typeof value === "string") return value.includes("{{") || value.includes("{%") ? liquid.parseAndRenderSync(value, variables) : value
  if (isJsonArray(value)) return value.map((item) => renderValues(item, variables))
  if (isJsonObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderValues(v, variables)]))
  return value
}

/** What planning needs besides the service: the user, the templates, and the owner to set. */
export interface PlanContext {
  readonly user: string
  readonly template: (configMap: string, key: string) => DocumentText | undefined
  /** The reference ConfigMap; without it (a dry run before it exists) only its name is known. */
  readonly owner?: OwnerReference | undefined
}

/**
 * The objects one service submits (SPEC 7): each template parsed, every string value rendered
 * with `configuration`, `user` and `USERNAME` (the user name escaped to a DNS label), the labels
 * merged, `-<user>` appended to a name that does not contain it, and an owner reference to the
 * user's reference ConfigMap.
 */
export const planService = (name: string, service: Service, context: PlanContext): Result.Result<ReadonlyArray<PlannedObject>, ServiceTemplateError> => {
  const escaped = toDnsLabel(context.user)
  const variables: Record<string, Json> = { ...service.configuration, user: escaped, USERNAME: escaped }
  const planned: Array<PlannedObject> = []
  for (const { name: configMap, path: key } of service.resources) {
    const fail = (cause: string, line?: number) =>
      Result.fail(new ServiceTemplateError({ service: name, configMap, key, cause, ...(line === undefined ? {} : { line }) }))
    const template = context.template(configMap, key)
    if (template === undefined) return fail("no such template (the ConfigMap or its key is missing)")
    const parsed = parseYamlDocuments(template.source, template.text)
    if (Result.isFailure(parsed)) {
      const lines = template.text.split("\n")
      for (const problem of parsed.failure.problems) {
        const line = Number(/^line (\d+)/u.exec(problem.path)?.[1])
        if (unquotedExpression.test(lines[line - 1] ?? "")) return fail(quoteHint, line)
      }
      return fail(parsed.failure.problems.map((p) => p.path === "" ? p.message : `${p.path}: ${p.message}`).join("; "))
    }
    const documents = parsed.success.filter((d) => d !== null && d !== undefined)
    if (documents.length !== 1 || !isJsonObject(documents[0])) return fail("expected one Kubernetes object (a mapping)")
    let rendered: Json
    try {
      rendered = renderValues(documents[0], variables)
    } catch (e) {
      return fail(e instanceof Error ? e.message.split("\n")[0] ?? String(e) : String(e))
    }
    if (!isJsonObject(rendered)) return fail("expected one Kubernetes object (a mapping)")
    const { apiVersion, kind } = rendered
    if (typeof apiVersion !== "string" || apiVersion === "") return fail("apiVersion is missing")
    if (typeof kind !== "string" || kind === "") return fail("kind is missing")
    const metadata: JsonObject = isJsonObject(rendered["metadata"]) ? rendered["metadata"] : {}
    const given = typeof metadata["name"] === "string" && metadata["name"] !== "" ? metadata["name"] : toDnsLabel(`${name}-${key}`)
    const objectName = given.includes(escaped) ? given : `${given}-${escaped}`
    if (objectName.length > 253 || !dnsSubdomain.test(objectName)) {
      return fail(`the object's name "${objectName}" is not a valid Kubernetes name (lower-case letters, digits, '-' and '.', at most 253)`)
    }
    const labels = { ...(isJsonObject(metadata["labels"]) ? metadata["labels"] : {}), ...service.labels }
    const owners = isJsonArray(metadata["ownerReferences"]) ? metadata["ownerReferences"] : []
    const object: KubeObject = {
      ...rendered,
      apiVersion,
      kind,
      metadata: {
        ...metadata,
        name: objectName,
        ...(Object.keys(labels).length === 0 ? {} : { labels }),
        ...(context.owner === undefined ? {} : { ownerReferences: [...owners, { ...context.owner }] })
      }
    }
    planned.push({ service: name, configMap, key, object })
  }
  return Result.succeed(planned)
}
