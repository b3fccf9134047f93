/** A `v1/Status` failure body, as kube-apiserver sends it. */
export type StatusBody = {
  readonly kind: "Status"
  readonly apiVersion: "v1"
  readonly metadata: Record<string, never>
  readonly status: "Failure" | "Success"
  readonly message?: string
  readonly reason?: string
  readonly details?: Record<string, unknown>
  readonly code: number
}

const failure = (code: number, reason: string, message: string, details?: Record<string, unknown>): StatusBody => ({
  kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, ...(details === undefined ? {} : { details }), code
})

/** `plural` or `plural.group`, as Status messages name a resource. */
export const qualifiedResource = (plural: string, group: string): string => group === "" ? plural : `${plural}.${group}`

const details = (name: string, plural: string, group: string) => ({ name, ...(group === "" ? {} : { group }), kind: plural })

export const notFound = (plural: string, group: string, name: string) =>
  failure(404, "NotFound", `${qualifiedResource(plural, group)} "${name}" not found`, details(name, plural, group))
export const alreadyExists = (plural: string, group: string, name: string) =>
  failure(409, "AlreadyExists", `${qualifiedResource(plural, group)} "${name}" already exists`, details(name, plural, group))
export const conflict = (plural: string, group: string, name: string) =>
  failure(409, "Conflict", `Operation cannot be fulfilled on ${qualifiedResource(plural, group)} "${name}": the object has been modified; please apply your changes to the latest version and try again`, details(name, plural, group))
export const invalid = (kind: string, group: string, name: string, causes: ReadonlyArray<{ field: string; message: string }>) =>
  failure(422, "Invalid", `${kind}${group === "" ? "" : `.${group}`} "${name}" is invalid: ${causes.length === 1 ? `${causes[0]?.field}: ${causes[0]?.message}` : `[${causes.map((c) => `${c.field}: ${c.message}`).join(", ")}]`}`,
    { name, ...(group === "" ? {} : { group }), kind, causes: causes.map((c) => ({ reason: "FieldValueInvalid", message: c.message, field: c.field })) })
export const badRequest = (message: string) => failure(400, "BadRequest", message)
export const unauthorized = () => failure(401, "Unauthorized", "Unauthorized")
export const forbidden = (verb: string, plural: string, group: string, namespace: string, user: string) =>
  failure(403, "Forbidden", `${qualifiedResource(plural, group)} is forbidden: User "${user}" cannot ${verb} resource "${plural}" in API group "${group}" in the namespace "${namespace}"`,
    { kind: plural, ...(group === "" ? {} : { group }) })
export const internalError = (message: string) => failure(500, "InternalError", message)
export const tooManyRequests = () => failure(429, "TooManyRequests", "the server has received too many requests and has asked us to try again later")
export const expired = (requested: string, oldest: number) =>
  failure(410, "Expired", `too old resource version: ${requested} (${oldest})`)
export const methodNotAllowed = (method: string) => failure(405, "MethodNotAllowed", `the server does not allow this method on the requested resource: ${method}`)

/** The Status a successful delete of a ConfigMap or custom resource returns. */
export const deleted = (plural: string, group: string, name: string, uid: string) => ({
  kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details: { name, ...(group === "" ? {} : { group }), kind: plural, uid }
})
