import { createHash, timingSafeEqual } from "node:crypto"
import type { IncomingMessage } from "node:http"

/** Who may call the spawner API: anyone holding the hub's token, or nobody for what writes (no token configured). */
export type ApiAccess = { readonly token: string } | undefined

// Digests of equal length, so the comparison takes the same time whatever the guess.
const digest = (text: string) => createHash("sha256").update(text).digest()

/** Whether the request carries `Authorization: Bearer <token>`, compared in constant time. */
export const hasToken = (request: IncomingMessage, token: string): boolean => {
  const header = request.headers.authorization ?? ""
  const match = /^Bearer\s+(.+)$/iu.exec(header)
  return match?.[1] !== undefined && timingSafeEqual(digest(match[1].trim()), digest(token))
}

/** What a caller is told when it may not call an endpoint. */
export type Refusal = { readonly status: 401 | 403; readonly message: string }

/**
 * Whether the request may reach an endpoint: with a token configured, every `/api` and `/form`
 * request needs it; without one, read-only endpoints are open and the others are refused with a
 * word on how to enable them — so nobody can write another user's environment by default.
 */
export const refusal = (request: IncomingMessage, access: ApiAccess, readOnly: boolean): Refusal | undefined => {
  if (access === undefined) {
    return readOnly ? undefined : { status: 403, message: "this endpoint needs the hub's token: start jsp serve with --api-token-file FILE and send Authorization: Bearer <token>" }
  }
  return hasToken(request, access.token) ? undefined : { status: 401, message: "missing or wrong token: send Authorization: Bearer <the token of --api-token-file>" }
}
