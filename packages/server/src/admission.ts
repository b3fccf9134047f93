import { decodeWith, formatWarning, InvalidDocument, isJsonObject, type Warning } from "@jsp/core"
import { Result, Schema } from "effect"
import jsonPatch from "fast-json-patch"

const GroupVersionKind = Schema.Struct({ group: Schema.String, version: Schema.String, kind: Schema.String })

/** What jsp reads of an `admission.k8s.io/v1` AdmissionReview request; every other key is the API server's business. */
export const AdmissionReview = Schema.Struct({
  apiVersion: Schema.Literal("admission.k8s.io/v1"),
  kind: Schema.Literal("AdmissionReview"),
  request: Schema.Struct({
    uid: Schema.NonEmptyString,
    kind: GroupVersionKind,
    operation: Schema.String,
    namespace: Schema.optionalKey(Schema.String),
    name: Schema.optionalKey(Schema.String),
    dryRun: Schema.optionalKey(Schema.Boolean),
    object: Schema.optionalKey(Schema.Unknown)
  })
})
export type AdmissionReview = typeof AdmissionReview.Type
export type AdmissionRequest = AdmissionReview["request"]

const decodeReview = decodeWith(AdmissionReview)

const isOptional = (value: unknown, type: "string" | "boolean"): boolean => value === undefined || typeof value === type

/**
 * Whether a body is what `AdmissionReview` accepts, checked by hand: every admission passes
 * here, and the Schema's decode cost ~6 µs and ~2 KiB of garbage per request (profiled under
 * load). A property test holds the two to the same answers; a refused body goes to the Schema,
 * whose message names the field.
 */
export const isAdmissionReview = (body: unknown): body is AdmissionReview => {
  if (!isJsonObject(body) || body["apiVersion"] !== "admission.k8s.io/v1" || body["kind"] !== "AdmissionReview") return false
  const request = body["request"]
  if (!isJsonObject(request)) return false
  const { uid, kind, operation } = request
  return typeof uid === "string" && uid !== "" && typeof operation === "string" &&
    isJsonObject(kind) && typeof kind["group"] === "string" && typeof kind["version"] === "string" && typeof kind["kind"] === "string" &&
    isOptional(request["namespace"], "string") && isOptional(request["name"], "string") && isOptional(request["dryRun"], "boolean")
}

/** Decodes an AdmissionReview body; what is wrong comes back with the field it is at. */
export const readAdmissionReview = (body: unknown): Result.Result<AdmissionReview, InvalidDocument> =>
  isAdmissionReview(body)
    ? Result.succeed(body)
    : Result.map(decodeReview("AdmissionReview", body, { unknownKeys: "ignore" }), (decoded) => decoded.value)

/** Whether the request is one jsp mutates: a Pod being created (other kinds and operations pass untouched). */
export const isPodCreate = (request: AdmissionRequest): boolean =>
  request.operation === "CREATE" && request.kind.group === "" && request.kind.kind === "Pod"

/** The JSON Patch (RFC 6902) that turns the pod the API server sent into the one jsp made. */
export const podPatch = (before: object, after: object): ReadonlyArray<jsonPatch.Operation> => jsonPatch.compare(before, after)

// kubectl shows each warning on a line of its own; the API server truncates long ones (> 256 chars).
const maxWarningLength = 120
const maxWarnings = 8

/** Warnings as the API server passes them on to kubectl: short lines, at most a few. */
export const admissionWarnings = (warnings: ReadonlyArray<Warning>): ReadonlyArray<string> => {
  const lines = [...new Set(warnings.map(formatWarning))].map((line) =>
    line.length <= maxWarningLength ? line : `${line.slice(0, maxWarningLength - 1)}…`)
  return lines.length <= maxWarnings ? lines : [...lines.slice(0, maxWarnings - 1), `… and ${lines.length - maxWarnings + 1} more warnings (see jsp's log)`]
}

/** What the webhook decided for one request. */
export type AdmissionDecision =
  | { readonly allowed: true; readonly patch?: ReadonlyArray<jsonPatch.Operation>; readonly warnings: ReadonlyArray<Warning> }
  | { readonly allowed: false; readonly code: number; readonly message: string; readonly warnings: ReadonlyArray<Warning> }

/** The AdmissionReview the API server expects back: the request's uid, and a patch only when there is something to change. */
export const admissionResponse = (uid: string, decision: AdmissionDecision) => {
  const warnings = admissionWarnings(decision.warnings)
  const response = decision.allowed
    ? {
      uid,
      allowed: true,
      ...(decision.patch === undefined || decision.patch.length === 0
        ? {}
        : { patchType: "JSONPatch", patch: Buffer.from(JSON.stringify(decision.patch)).toString("base64") })
    }
    : { uid, allowed: false, status: { code: decision.code, message: decision.message } }
  return { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response: warnings.length === 0 ? response : { ...response, warnings } }
}
