const entities: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }

/** Text made safe for HTML element content and quoted attribute values alike (`& < > " '`). */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/gu, (c) => entities[c] ?? c)
