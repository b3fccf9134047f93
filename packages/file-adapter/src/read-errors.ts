import type { PlatformError } from "effect"

const reasons: Partial<Record<string, string>> = {
  NotFound: "no such file or directory",
  PermissionDenied: "permission denied",
  BadResource: "not a readable file",
  InvalidData: "not valid text"
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
  return (code === undefined ? undefined : codes[code]) ?? reasons[reason._tag] ?? reason.description ?? reason._tag
}
