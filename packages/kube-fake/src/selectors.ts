/** One requirement of a label selector. */
export type Requirement =
  | { readonly key: string; readonly op: "=" | "!="; readonly value: string }
  | { readonly key: string; readonly op: "in" | "notin"; readonly values: ReadonlyArray<string> }
  | { readonly key: string; readonly op: "exists" | "!exists" }

const key = String.raw`[A-Za-z0-9][-A-Za-z0-9_./]*`
const value = String.raw`[-A-Za-z0-9_.]*`
const patterns: ReadonlyArray<[RegExp, (m: RegExpExecArray) => Requirement]> = [
  [new RegExp(`^(${key})\\s+(in|notin)\\s+\\(([^)]*)\\)$`, "u"), (m) => ({
    key: m[1] ?? "", op: m[2] === "in" ? "in" : "notin",
    values: (m[3] ?? "").split(",").map((v) => v.trim()).filter((v) => v !== "")
  })],
  [new RegExp(`^(${key})\\s*(==|=|!=)\\s*(${value})$`, "u"), (m) => ({ key: m[1] ?? "", op: m[2] === "!=" ? "!=" : "=", value: m[3] ?? "" })],
  [new RegExp(`^!\\s*(${key})$`, "u"), (m) => ({ key: m[1] ?? "", op: "!exists" })],
  [new RegExp(`^(${key})$`, "u"), (m) => ({ key: m[1] ?? "", op: "exists" })]
]

// Commas separate requirements, except inside `in (a,b)`.
const split = (text: string): ReadonlyArray<string> => {
  const parts: Array<string> = []
  let depth = 0
  let current = ""
  for (const ch of text) {
    if (ch === "(") depth++
    if (ch === ")") depth--
    if (ch === "," && depth === 0) {
      parts.push(current)
      current = ""
    } else current += ch
  }
  parts.push(current)
  return parts.map((p) => p.trim()).filter((p) => p !== "")
}

/** Parses a label selector as kube-apiserver does; a string is the reason it is not one. */
export const parseLabelSelector = (text: string): ReadonlyArray<Requirement> | string => {
  const requirements: Array<Requirement> = []
  for (const part of split(text)) {
    const found = patterns.map(([re, make]) => {
      const m = re.exec(part)
      return m === null ? undefined : make(m)
    }).find((r) => r !== undefined)
    if (found === undefined) return `unable to parse requirement: found '${part}', expected: identifier, '=', '!=', 'in' or 'notin'`
    requirements.push(found)
  }
  return requirements
}

/** Whether labels satisfy every requirement (`!=` and `notin` also match an absent key). */
export const matchesSelector = (labels: Readonly<Record<string, string>>, requirements: ReadonlyArray<Requirement>): boolean =>
  requirements.every((r) => {
    const v = labels[r.key]
    switch (r.op) {
      case "=": return v === r.value
      case "!=": return v !== r.value
      case "in": return v !== undefined && r.values.includes(v)
      case "notin": return v === undefined || !r.values.includes(v)
      case "exists": return v !== undefined
      case "!exists": return v === undefined
    }
  })
