import { Result, Schema, SchemaIssue } from "effect"
import { InvalidDocument, type Problem } from "../errors/errors.ts"
import { type Warning, warning } from "../errors/warning.ts"

/** A decoded value with the warnings found on the way (unknown keys, ignored entries). */
export interface Decoded<A> {
  readonly value: A
  readonly warnings: ReadonlyArray<Warning>
}

const standard = SchemaIssue.makeFormatterStandardSchemaV1()
const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/u

/** A field path as a person writes it: `profiles[2].resources.limits["nvidia.com/gpu"]`. */
export const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>((acc, key) => {
    if (typeof key === "number") return `${acc}[${key}]`
    const name = String(key)
    if (!identifier.test(name)) return `${acc}[${JSON.stringify(name)}]`
    return acc === "" ? name : `${acc}.${name}`
  }, "")

// A problem is one line: what was found is quoted, but never at a length that buries the message.
const maxMessageLength = 240
const shorten = (message: string): string =>
  message.length <= maxMessageLength ? message : `${message.slice(0, maxMessageLength - 1)}…`

const toProblems = (issue: SchemaIssue.Issue, prefix: ReadonlyArray<PropertyKey>): Array<Problem> =>
  standard(issue).issues.map(({ path = [], message }) => ({
    path: formatPath([...prefix, ...path.map((seg) => typeof seg === "object" ? seg.key : seg)]),
    message: shorten(message.charAt(0).toLowerCase() + message.slice(1))
  }))

/** Options for {@link decodeWith}. */
export interface DecodeOptions {
  /** Path of the value inside its document, prefixed to every problem. */
  readonly at?: ReadonlyArray<PropertyKey>
  /**
   * Unknown keys: warnings (default), problems like any other (for documents users write), or
   * ignored (envelopes another program writes, such as an AdmissionReview, where extra keys are normal).
   */
  readonly unknownKeys?: "warn" | "reject" | "ignore"
}

/** Whether a problem is a rejected unknown key. */
export const isUnknownKeyProblem = (problem: Problem): boolean => problem.message.startsWith("unexpected key")

/**
 * Decodes untrusted input: all problems at once, each with path, what was found and what was expected.
 * Unknown keys do not fail the decode; they come back as warnings (SPEC 1).
 */
export const decodeWith = <S extends Schema.Codec<unknown, unknown>>(schema: S) => {
  const lenient = Schema.decodeUnknownResult(schema)
  const strict = Schema.decodeUnknownResult(schema)
  return (source: string, input: unknown, options: DecodeOptions = {}): Result.Result<Decoded<S["Type"]>, InvalidDocument> => {
    const at = options.at ?? []
    const decoded = options.unknownKeys === "reject"
      ? strict(input, { errors: "all", onExcessProperty: "error", reportInput: true })
      : lenient(input, { errors: "all", reportInput: true })
    if (Result.isFailure(decoded)) {
      return Result.fail(new InvalidDocument({ source, problems: toProblems(decoded.failure.issue, at) }))
    }
    if (options.unknownKeys !== undefined && options.unknownKeys !== "warn") return Result.succeed({ value: decoded.success, warnings: [] })
    const checked = strict(input, { errors: "all", onExcessProperty: "error", reportInput: true })
    const warnings = Result.isFailure(checked)
      ? toProblems(checked.failure.issue, at).map((p) => warning(source, "unknown key, ignored", p.path))
      : []
    return Result.succeed({ value: decoded.success, warnings })
  }
}
