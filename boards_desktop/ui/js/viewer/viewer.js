// The viewer: a generation full size with its details, opened by the `viewer:open` bus event.

/** Listen for `viewer:open` on this board; returns a cleanup function. */
export function installViewer({board}) {
  return () => {};
}
