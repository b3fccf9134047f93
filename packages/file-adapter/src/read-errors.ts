import type { PlatformError } from "effect"

const reasons: Partial<Record<string, string>> = {
  NotFound: "no such file or directory",
  PermissionDenied: "permission denied",
  BadResource: "not a readable file",
  InvalidData: "not valid text"
}

/** Why a file could not be read, in words a person can act on ("no such file or directory"). */
export const describeReadError = (error: PlatformError.PlatformError): string => {
  const reason = error.reason
  if (reason._tag === "BadArgument") return reason.description ?? "bad argument"
  return reasons[reason._tag] ?? reason.description ?? reason._tag
}
