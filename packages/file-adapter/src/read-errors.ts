import { SourceUnavailable, type UnavailableReason } from "@jsp/core"
import type { PlatformError } from "effect"

const reasons: Partial<Record<string, { readonly reason: UnavailableReason; readonly detail: string }>> = {
  NotFound: { reason: "not-found", detail: "no such file or directory" },
  PermissionDenied: { reason: "forbidden", detail: "permission denied" },
  BadResource: { reason: "invalid", detail: "not a readable file" },
  InvalidData: { reason: "invalid", detail: "not valid text" }
}

// The operating system's error code says more than the platform's category for some of them.
const codes: Partial<Record<string, string>> = {
  ELOOP: "too many levels of symbolic links (a symbolic link loop)",
  EISDIR: "is a directory, not a regular file",
  ENOTDIR: "a part of the path is not a directory",
  ENAMETOOLONG: "the path is too long"
}

const errnoCode = (cause: unknown): string | undefined => {
  const code: unknown = typeof cause === "object" && cause !== null ? Reflect.get(cause, "code") : undefined
  return typeof code === "string" ? code : undefined
}

/** Why a file could not be read, in words a person can act on ("no such file or directory"). */
export const describeReadError = (error: PlatformError.PlatformError): string => {
  const reason = error.reason
  if (reason._tag === "BadArgument") return reason.description ?? "bad argument"
  const code = errnoCode(reason.cause)
  return (code === undefined ? undefined : codes[code]) ?? reasons[reason._tag]?.detail ?? reason.description ?? reason._tag
}

/** A failed read of a path as a typed error: not found, forbidden, or invalid. */
export const unreadable = (source: string) => (error: PlatformError.PlatformError): SourceUnavailable =>
  new SourceUnavailable({
    source,
    reason: error.reason._tag === "BadArgument" ? "invalid" : reasons[error.reason._tag]?.reason ?? "invalid",
    detail: describeReadError(error)
  })
