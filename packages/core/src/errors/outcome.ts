import type { ServiceTemplateError } from "../services/template-error.ts"
import type { InvalidConfiguration, InvalidDocument, MissingInput, RequestAboveLimit, SourceUnavailable, UnknownSize, VolumeConflict } from "./errors.ts"

/** Every error a use case can fail with. */
export type JspError = InvalidConfiguration | InvalidDocument | MissingInput | SourceUnavailable | UnknownSize | RequestAboveLimit | VolumeConflict | ServiceTemplateError

/** What an error means to a caller: whose fault, the process exit code, the HTTP status. */
export interface Outcome {
  /** `input`: what was given is wrong; `configuration`: the operator's configuration is; `unavailable`: a file or the cluster failed. */
  readonly kind: "input" | "configuration" | "unavailable"
  readonly exitCode: 1 | 3
  readonly httpStatus: number
}

const unavailableStatus: Readonly<Record<SourceUnavailable["reason"], number>> = {
  unreachable: 502,
  unauthorized: 502,
  forbidden: 502,
  "not-found": 404,
  conflict: 409,
  invalid: 422,
  timeout: 504,
  "server-error": 502
}

/** The one classification of errors: the CLI's exit codes and the server's HTTP statuses come from here. */
export const outcomeOf = (error: JspError): Outcome => {
  switch (error._tag) {
    case "SourceUnavailable":
      return { kind: "unavailable", exitCode: 3, httpStatus: unavailableStatus[error.reason] }
    case "InvalidConfiguration":
    case "ServiceTemplateError":
      // The caller did nothing wrong: the operator's configuration cannot be used.
      return { kind: "configuration", exitCode: 1, httpStatus: 500 }
    case "InvalidDocument":
    case "MissingInput":
    case "UnknownSize":
    case "RequestAboveLimit":
    case "VolumeConflict":
      return { kind: "input", exitCode: 1, httpStatus: 422 }
  }
}
