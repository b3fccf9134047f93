// A strict reader of the options form's HTML, for tests: it accepts only well-formed tags with
// double-quoted attributes and the five entities the form escapes, so anything unescaped fails it.

/** One `<option>` as a browser would read it. */
export interface ParsedOption {
  readonly value: string
  readonly label: string
  readonly selected: boolean
  readonly title?: string
}

/** One `<select>` and the `<label>` that names it. */
export interface ParsedSelect {
  readonly name: string
  readonly id: string
  readonly label: string | undefined
  readonly options: ReadonlyArray<ParsedOption>
}

const entities: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: "\"", "#39": "'" }

const decode = (text: string, where: string): string => {
  if (/[<>"']/u.test(text)) throw new Error(`unescaped character in ${where}: ${JSON.stringify(text)}`)
  return text.replace(/&([^;]*);?/gu, (all, name: string) => {
    const c = entities[name]
    if (c === undefined || !all.endsWith(";")) throw new Error(`unknown entity in ${where}: ${JSON.stringify(all)}`)
    return c
  })
}

const token = /<(\/?)([a-z]+)((?:\s+[a-z-]+(?:="[^"<>]*")?)*)\s*>|([^<]+)/uy
const attribute = /([a-z-]+)(?:="([^"]*)")?/gu

/** Reads the fragment's dropdowns; throws on anything that is not well-formed, escaped HTML. */
export const parseForm = (html: string): ReadonlyArray<ParsedSelect> => {
  const selects: Array<{ name: string; id: string; options: Array<ParsedOption> }> = []
  const labels = new Map<string, string>()
  const open: Array<{ tag: string; attributes: Map<string, string>; text: string }> = []
  token.lastIndex = 0
  while (token.lastIndex < html.length) {
    const at = token.lastIndex
    const match = token.exec(html)
    if (match === null) throw new Error(`not a tag or text at offset ${at}: ${JSON.stringify(html.slice(at, at + 40))}`)
    const [, closing, tag, attributeText, text] = match
    if (text !== undefined) {
      const top = open.at(-1)
      const decoded = decode(text, `text at offset ${at}`)
      if (top !== undefined) top.text += decoded
      else if (decoded.trim() !== "") throw new Error(`text outside any element at offset ${at}`)
      continue
    }
    if (tag === undefined) throw new Error("unreachable")
    if (tag === "script" || tag === "style") throw new Error(`<${tag}> in the fragment`)
    if (closing === "") {
      const attributes = new Map<string, string>()
      for (const [, name, value] of (attributeText ?? "").matchAll(attribute)) {
        if (name === undefined) continue
        if (attributes.has(name)) throw new Error(`attribute ${name} twice at offset ${at}`)
        attributes.set(name, decode(value ?? "", `attribute ${name} at offset ${at}`))
      }
      open.push({ tag, attributes, text: "" })
      if (tag === "select") selects.push({ name: attributes.get("name") ?? "", id: attributes.get("id") ?? "", options: [] })
      continue
    }
    const element = open.pop()
    if (element?.tag !== tag) throw new Error(`</${tag}> closes <${element?.tag ?? "nothing"}> at offset ${at}`)
    if (tag === "label") labels.set(element.attributes.get("for") ?? "", element.text)
    if (tag === "option") {
      const select = selects.at(-1)
      if (select === undefined || open.at(-1)?.tag !== "select") throw new Error(`<option> outside a <select> at offset ${at}`)
      const title = element.attributes.get("title")
      select.options.push({
        value: element.attributes.get("value") ?? element.text,
        label: element.text,
        selected: element.attributes.has("selected"),
        ...(title === undefined ? {} : { title })
      })
    }
  }
  if (open.length > 0) throw new Error(`<${open.map((e) => e.tag).join("> <")}> not closed`)
  return selects.map((s) => ({ ...s, label: labels.get(s.id) }))
}
