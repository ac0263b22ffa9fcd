/** Lines of `text`, each with its LF if it has one. */
function lines(text: string): string[] {
  return text.split(/(?<=\n)/);
}

/**
 * minimizeInput shrinks a failing input for a report: it drops whole lines,
 * then single bytes, keeping each removal after which `fails` still holds,
 * until nothing more can go or `budgetMs` has passed. fast-check cannot
 * shrink an input built by mutating a generated message below the model;
 * this works on the bytes themselves.
 */
export function minimizeInput(
  input: string,
  fails: (candidate: string) => boolean,
  budgetMs = 5000,
): string {
  const deadline = performance.now() + budgetMs;
  let best = input;
  for (let changed = true; changed && performance.now() < deadline;) {
    changed = false;
    for (const pieces of [lines, (text: string) => [...text]]) {
      const parts = pieces(best);
      for (let i = 0; i < parts.length && performance.now() < deadline;) {
        const candidate = parts
          .slice(0, i)
          .concat(parts.slice(i + 1))
          .join('');
        if (fails(candidate)) {
          parts.splice(i, 1);
          best = candidate;
          changed = true;
        } else {
          i++;
        }
      }
    }
  }
  return best;
}
