/** Command verbs (and their usual typos): a line that starts with one was meant as a command. */
const VERBS = /^\s*(click|double-click|right-click|middle-click|triple-click|hover|move|type|press|scroll|drag|wait|assert|open|launch|done|fail|clik|tpye|prss)\b/i;

/**
 * Whether text was meant as direct commands (every line or `;` part starts with a command verb):
 * then a parse error is the answer, not a trip through the planner. Used by `deskpilot run` and
 * the app's chat.
 */
export function looksLikeCommands(text: string): boolean {
  return text.split(/[;\n]/).every((part) => part.trim() === '' || VERBS.test(part));
}
