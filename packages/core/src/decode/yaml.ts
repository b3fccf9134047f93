import { Result } from "effect"
import { Composer, type CST, type Document, isAlias, isCollection, isMap, isNode, isPair, isScalar, isSeq, Lexer, LineCounter, type Node, Parser } from "yaml"
import { InvalidDocument, type Problem } from "../errors/errors.ts"

/**
 * The deepest nesting of collections a document may have (a pod or a configuration needs about
 * ten). Deeper input would exhaust the stack of the parser, of the conversion or of what reads it.
 */
export const maxNestingDepth = 256

/**
 * How many values aliases may add to one document. Reusing an anchor is ordinary YAML and costs
 * its size at every use; a few nested anchors can otherwise expand into gigabytes ("billion laughs").
 */
export const maxAliasExpansion = 1_000_000

const firstLine = (message: string): string => (message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/u, "")

const tooDeep = `collections nested more than ${maxNestingDepth} levels deep`

/** A problem at an offset of the text, placed by the line counter. */
type Located = { readonly offset: number; readonly message: string }

/** What a node amounts to once its aliases are expanded: values, and depth of nested collections. */
interface Extent {
  readonly size: number
  readonly depth: number
}

/** Where an alias sits, so that it can be replaced by the node it names. */
type Slot = { readonly set: (node: Node) => void }

const offsetOf = (node: unknown): number => isNode(node) ? node.range?.[0] ?? 0 : 0

/**
 * Checks a composed document before it becomes JavaScript, in one pass in document order:
 * nesting depth and alias expansion (both counting what aliases expand to), aliases without an
 * anchor before them or inside the collection they name, and collections used as mapping keys
 * (JavaScript objects cannot have them; yaml would turn them into strings such as `{ a: 1 }`).
 * On success every alias is replaced by the node it names, so that the conversion resolves none
 * (yaml's own resolution scans the document for each alias: quadratic in their number).
 */
const checkDocument = (document: Document.Parsed): Located | undefined => {
  const anchors = new Map<string, Node>()
  const extents = new Map<Node, Extent>()
  const open = new Set<Node>()
  const replacements: Array<() => void> = []
  let expansion = 0

  // `level`: collections around the node. Recursion is bounded: it stops at maxNestingDepth.
  const visit = (node: unknown, level: number, slot: Slot | undefined): Extent | Located => {
    if (isAlias(node)) {
      const target = anchors.get(node.source)
      if (target === undefined) return { offset: offsetOf(node), message: `alias *${node.source} has no anchor &${node.source} before it` }
      const extent = extents.get(target)
      if (extent === undefined || open.has(target)) {
        return { offset: offsetOf(node), message: `alias *${node.source} is inside the collection it names (a cycle)` }
      }
      expansion += extent.size
      if (expansion > maxAliasExpansion) {
        return {
          offset: offsetOf(node),
          message: `alias *${node.source} makes the document's aliases expand to more than ${maxAliasExpansion.toLocaleString("en-US")} values; refused as an alias expansion bomb ("billion laughs")`
        }
      }
      if (level + extent.depth > maxNestingDepth) return { offset: offsetOf(node), message: `alias *${node.source} expands to ${tooDeep}` }
      if (slot !== undefined) replacements.push(() => slot.set(target))
      return extent
    }
    if (!isScalar(node) && !isMap(node) && !isSeq(node)) return { size: 0, depth: 0 }
    if (node.anchor !== undefined && node.anchor !== null) {
      anchors.set(node.anchor, node)
      open.add(node)
    }
    let extent: Extent = { size: 1, depth: 0 }
    if (isMap(node) || isSeq(node)) {
      if (level + 1 > maxNestingDepth) return { offset: offsetOf(node), message: tooDeep }
      let size = 1
      let depth = 0
      const add = (child: Extent | Located): Located | undefined => {
        if ("offset" in child) return child
        size += child.size
        depth = Math.max(depth, child.depth)
        return undefined
      }
      for (const [index, item] of node.items.entries()) {
        if (isPair(item)) {
          const key: unknown = item.key
          const keyTarget = isAlias(key) ? anchors.get(key.source) : key
          if (isCollection(keyTarget)) {
            return {
              offset: offsetOf(key),
              message: `a ${isMap(keyTarget) ? "mapping" : "sequence"} is used as a mapping key; keys must be scalars (strings, numbers)`
            }
          }
          const problem = add(visit(key, level + 1, { set: (n) => (item.key = n) })) ??
            add(visit(item.value, level + 1, { set: (n) => (item.value = n) }))
          if (problem !== undefined) return problem
        } else {
          const items: Array<unknown> = node.items
          const problem = add(visit(item, level + 1, { set: (n) => (items[index] = n) }))
          if (problem !== undefined) return problem
        }
      }
      extent = { size, depth: depth + 1 }
    }
    open.delete(node)
    if (node.anchor !== undefined && node.anchor !== null) extents.set(node, extent)
    return extent
  }

  // The root needs no slot: no anchor can come before it, so an alias there is unresolved.
  const result = visit(document.contents, 0, undefined)
  if ("offset" in result) return result
  for (const replace of replacements) replace()
  return undefined
}

/**
 * Parses YAML (or JSON) text into its documents; every problem names line and column. Nesting
 * deeper than `maxNestingDepth` is refused while parsing, before anything recursive runs; alias
 * expansion is bounded by `maxAliasExpansion`; collections as mapping keys are refused. Nothing is
 * ever written to the process's warnings.
 */
export const parseYamlDocuments = (source: string, text: string): Result.Result<ReadonlyArray<unknown>, InvalidDocument> => {
  const lines = new LineCounter()
  const at = (offset: number): string => {
    const { line, col } = lines.linePos(offset)
    return `line ${line}, column ${col}`
  }
  const failure = (problems: ReadonlyArray<Problem>) => Result.fail(new InvalidDocument({ source, problems }))

  // The CST parser keeps its own stack (no recursion): its height bounds the nesting of what follows.
  const parser = new Parser(lines.addNewLine)
  lines.addNewLine(0)
  const tokens: Array<CST.Token> = []
  for (const lexeme of new Lexer().lex(text)) {
    for (const token of parser.next(lexeme)) tokens.push(token)
    // The stack holds the document, each open collection and at most a pair of transient tokens.
    if (parser.stack.length > maxNestingDepth + 3) return failure([{ path: at(parser.offset), message: tooDeep }])
  }
  for (const token of parser.end()) tokens.push(token)

  // logLevel "error": yaml never calls process.emitWarning (it does for collection keys, refused below anyway).
  const documents = Array.from(new Composer({ uniqueKeys: true, logLevel: "error" }).compose(tokens))
  const problems: Array<Problem> = []
  const values: Array<unknown> = []
  for (const document of documents) {
    for (const error of document.errors) {
      problems.push({ path: error.pos[0] < 0 ? "" : at(error.pos[0]), message: firstLine(error.message) })
    }
    if (document.errors.length > 0) continue
    const problem = checkDocument(document)
    if (problem !== undefined) {
      problems.push({ path: at(problem.offset), message: problem.message })
      continue
    }
    try {
      // Aliases are already replaced; the conversion's own alias count is off (-1).
      values.push(document.toJS({ maxAliasCount: -1 }))
    } catch (e) {
      problems.push({ path: at(document.range[0]), message: e instanceof Error ? firstLine(e.message) : String(e) })
    }
  }
  return problems.length > 0 ? failure(problems) : Result.succeed(values)
}
