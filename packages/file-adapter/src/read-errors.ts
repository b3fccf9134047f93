import { SourceUnavailable, type UnavailableReason } from "@jsp/core"
import type { PlatformError } from "effect"

const reasons: Partial<Record<string, { readonly reason: UnavailableReason; readonly detail: string }>> = {
  NotFound: { reason: "not-found", detail: "no such file or directory" },
  PermissionDenied: { reason: "forbidden", detail: "permission denied" },
  BadResource: { reason: "invalid", detail: "not a readable file" },
  InvalidData: { reason: "invalid", detail: "not valid text" }
}

/** Why a file could not be read, in words a person can act on ("no such file or directory"). */
export const describeReadError = (error: PlatformError.PlatformError): string => {
  const reason = error.reason
  if (reason._tag === "BadArgument") return reason.description ?? "bad argument"
  return reasons[reason._tag]?.detail ?? reason.description ?? reason._tag
}

/** A failed read of a path as a typed error: not found, forbidden, or invalid. */
export const unreadable = (source: string) => (error: PlatformError.PlatformError): SourceUnavailable =>
  new SourceUnavailable({
    source,
    reason: error.reason._tag === "BadArgument" ? "invalid" : reasons[error.reason._tag]?.reason ?? "invalid",
    detail: describeReadError(error)
  })
