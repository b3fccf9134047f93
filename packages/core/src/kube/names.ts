import { createHash } from "node:crypto"

/**
 * Names and label values made valid for Kubernetes (SPEC 5, 7, 10).
 * A name that is already valid is kept as it is; any other is cleaned and gets `---` and a short
 * hash of the raw name, so two different users never end up with the same value. A valid name can
 * never contain `---` followed by a hash of itself, and raw names with `--` are always hashed
 * (as KubeSpawner does), so a cleaned name cannot collide with a name kept as it is.
 */

const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/u
const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/u

const shortHash = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex").slice(0, 8)

// Always `<prefix>---<hash>`, even when nothing of the name survives cleaning: a bare hash would
// itself be a valid name, kept as it is for a user who is called exactly that.
const hashed = (raw: string, cleaned: string, max: number): string => {
  const room = max - 3 - 8
  const prefix = cleaned.slice(0, room).replace(/[^A-Za-z0-9]+$/u, "")
  return `${prefix === "" ? "x" : prefix}---${shortHash(raw)}`
}

/** Whether a string is a valid label value (≤ 63, `[A-Za-z0-9_.-]`, alphanumeric at both ends). */
export const isValidLabelValue = (value: string): boolean => value.length <= 63 && labelValue.test(value)

/** Whether a string is a valid DNS-1123 label (≤ 63, lowercase alphanumeric and `-`). */
export const isDnsLabel = (value: string): boolean => value.length <= 63 && dnsLabel.test(value)

/** A user (or any) name as a valid, collision-free label value. */
export const toLabelValue = (raw: string): string => {
  if (raw !== "" && isValidLabelValue(raw) && !raw.includes("--")) return raw
  const cleaned = raw.replace(/[^A-Za-z0-9_.]+/gu, "-").replace(/^[^A-Za-z0-9]+/u, "")
  return hashed(raw, cleaned, 63)
}

/** A name as a valid, collision-free DNS-1123 label, at most `max` characters (≤ 63). */
export const toDnsLabel = (raw: string, max = 63): string => {
  if (raw !== "" && raw.length <= max && dnsLabel.test(raw) && !raw.includes("--")) return raw
  const cleaned = raw.toLowerCase().replace(/[^a-z0-9]+/gu, "-").replace(/^-+/u, "")
  return hashed(raw, cleaned, max)
}

const userSettingsPrefix = "jupyterhub-singleuser-profile-"

/** Name of the ConfigMap holding a user's settings (SPEC 1): `jupyterhub-singleuser-profile-<user>`. */
export const userSettingsConfigMapName = (user: string): string => `${userSettingsPrefix}${toDnsLabel(user)}`

/** Name of the Secret holding a user's password-type environment variables. */
export const userSecretName = (user: string): string => `${userSettingsConfigMapName(user)}-envs`

/** For a ConfigMap that holds a user's settings: the user's name as escaped in it, and their Secret's name. */
export const userSettingsOwner = (configMapName: string): { readonly escapedUser: string; readonly secret: string } | undefined =>
  configMapName.startsWith(userSettingsPrefix) && configMapName.length > userSettingsPrefix.length
    ? { escapedUser: configMapName.slice(userSettingsPrefix.length), secret: `${configMapName}-envs` }
    : undefined
