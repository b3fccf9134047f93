/** Rows as aligned columns under upper-case headers, as kubectl prints them. */
export const formatTable = (headers: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)))
  const line = (cells: ReadonlyArray<string>) => cells.map((c, i) => i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)).join("   ").trimEnd()
  return [line(headers.map((h) => h.toUpperCase())), ...rows.map(line)].join("\n")
}
