type Json = unknown

const subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/u
const labelName = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/u
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/u

/** One invalid field, as a 422 Status lists it. */
export interface FieldProblem {
  readonly field: string
  readonly message: string
}

const isRecord = (v: Json): v is Record<string, Json> => typeof v === "object" && v !== null && !Array.isArray(v)

const validKey = (key: string): boolean => {
  const slash = key.lastIndexOf("/")
  const prefix = slash === -1 ? undefined : key.slice(0, slash)
  const name = slash === -1 ? key : key.slice(slash + 1)
  return name.length <= 63 && labelName.test(name) && (prefix === undefined || (prefix.length <= 253 && subdomain.test(prefix)))
}

/** The problems kube-apiserver would report for an object's metadata. */
export const validateMetadata = (metadata: Record<string, Json>): ReadonlyArray<FieldProblem> => {
  const problems: Array<FieldProblem> = []
  const name = metadata["name"]
  if (typeof name !== "string" || name === "") {
    problems.push({ field: "metadata.name", message: "Required value: name or generateName is required" })
  } else if (name.length > 253) {
    problems.push({ field: "metadata.name", message: `Invalid value: "${name}": must be no more than 253 characters` })
  } else if (!subdomain.test(name)) {
    problems.push({ field: "metadata.name", message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character` })
  }
  const labels = metadata["labels"]
  if (isRecord(labels)) {
    for (const [key, value] of Object.entries(labels)) {
      if (!validKey(key)) problems.push({ field: "metadata.labels", message: `Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.'` })
      if (typeof value !== "string" || value.length > 63 || !labelValue.test(value)) {
        problems.push({ field: "metadata.labels", message: `Invalid value: ${JSON.stringify(value)}: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character` })
      }
    }
  }
  const owners = metadata["ownerReferences"]
  if (Array.isArray(owners)) {
    owners.forEach((owner: Json, i) => {
      for (const field of ["apiVersion", "kind", "name", "uid"]) {
        if (!isRecord(owner) || typeof owner[field] !== "string" || owner[field] === "") {
          problems.push({ field: `metadata.ownerReferences[${i}].${field}`, message: "Required value" })
        }
      }
    })
  }
  return problems
}
