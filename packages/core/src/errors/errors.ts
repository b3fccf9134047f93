import { Data } from "effect"

/** One problem in a document: where (field path or line:column) and what. */
export interface Problem {
  readonly path: string
  readonly message: string
}

const formatProblem = (p: Problem): string => p.path === "" ? p.message : `${p.path}: ${p.message}`

/** A configuration, user-settings or pod document that cannot be used. */
export class InvalidDocument extends Data.TaggedError("InvalidDocument")<{
  readonly source: string
  readonly problems: ReadonlyArray<Problem>
}> {
  override get message(): string {
    return this.problems.map((p) => `${this.source}: ${formatProblem(p)}`).join("\n")
  }
}

/** One or more configuration documents are invalid; every problem of every document is listed. */
export class InvalidConfiguration extends Data.TaggedError("InvalidConfiguration")<{
  readonly documents: ReadonlyArray<InvalidDocument>
}> {
  override get message(): string {
    return this.documents.map((d) => d.message).join("\n")
  }
}

/** Why something could not be read or written: the classes a caller can act on differently. */
export type UnavailableReason =
  /** No answer: connection refused or reset, DNS, TLS. */
  | "unreachable"
  /** The credentials were rejected (401). */
  | "unauthorized"
  /** The account may not do this (403, or a file's permissions). */
  | "forbidden"
  /** The object, file or API does not exist. */
  | "not-found"
  /** Someone else wrote in between, and retrying did not help (409). */
  | "conflict"
  /** The request or the thing read is not acceptable (400, 422, a file that is not a regular file). */
  | "invalid"
  /** No answer within the deadline. */
  | "timeout"
  /** The server answered with an error of its own (5xx) or is throttling (429). */
  | "server-error"

/** A document or object could not be read or written: which, why (structured), and the words for a person. */
export class SourceUnavailable extends Data.TaggedError("SourceUnavailable")<{
  /** What was being read: a path, or `cluster <server> namespace <ns>`. */
  readonly source: string
  readonly reason: UnavailableReason
  /** What a person reads: the call, what happened, what to do. */
  readonly detail: string
  /** The call that failed (`get`, `list`, `create`…), when it was an API request. */
  readonly verb?: string
  /** The resource it was made on (`configmaps`, `imagestreams.image.openshift.io`). */
  readonly resource?: string
  readonly name?: string
}> {
  override get message(): string {
    return `${this.source}: ${this.detail}`
  }
}

/** A spawn named a size the configuration does not define. */
export class UnknownSize extends Data.TaggedError("UnknownSize")<{
  readonly size: string
  readonly known: ReadonlyArray<string>
}> {
  override get message(): string {
    const known = this.known.length === 0 ? "none are configured" : `known sizes: ${this.known.join(", ")}`
    return `unknown size "${this.size}" (${known})`
  }
}

/** After the transform a container would request more of a resource than its limit allows. */
export class RequestAboveLimit extends Data.TaggedError("RequestAboveLimit")<{
  readonly container: string
  readonly resource: string
  readonly request: string
  readonly requestFrom: string
  readonly limit: string
  readonly limitFrom: string
}> {
  override get message(): string {
    return `container "${this.container}": ${this.resource} request ${this.request} (from ${this.requestFrom}) ` +
      `is above its limit ${this.limit} (from ${this.limitFrom})`
  }
}

/** A spawn lacks something jsp cannot guess (a user, an image). */
export class MissingInput extends Data.TaggedError("MissingInput")<{
  readonly what: string
  readonly hint: string
}> {
  override get message(): string {
    return `no ${this.what}: ${this.hint}`
  }
}

/** A profile's volume has the name of a different volume the pod already has (SPEC 6): taking it over could hide the user's home. */
export class VolumeConflict extends Data.TaggedError("VolumeConflict")<{
  readonly name: string
  readonly from: string
  readonly existing: string
  readonly added: string
}> {
  override get message(): string {
    return `volume "${this.name}" from ${this.from} (${this.added}) would replace the pod's own volume of that name (${this.existing}); rename one of them`
  }
}
