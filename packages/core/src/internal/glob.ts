// Profiles and image lists are matched on every spawn and every form: compile each glob once. The
// cache is bounded so that odd input cannot grow it.
const compiled = new Map<string, RegExp>()
const maxCached = 10_000

/** Whether a text matches a pattern in which `*` stands for any run of characters (and nothing else is special). */
export const globMatches = (pattern: string, text: string): boolean => {
  if (!pattern.includes("*")) return pattern === text
  let re = compiled.get(pattern)
  if (re === undefined) {
    re = new RegExp(`^${pattern.split("*").map((part) => part.replace(/[.*+?^${}()|[\]\\]/gu, "\\$&")).join(".*")}$`, "u")
    if (compiled.size >= maxCached) compiled.clear()
    compiled.set(pattern, re)
  }
  return re.test(text)
}
