// Timers that rest while the page is hidden (the window minimised, or behind another tab): an idle
// app spends no CPU on polls and clocks nobody sees (design.md, the idle budget). What they would
// have done is done once, at once, when the page is shown again. Event streams stay open: they
// cost nothing while nothing happens, and the page stays current without reloading.

const shownAgain = new Set();
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'hidden') return;
  for (const run of [...shownAgain]) run();
});

export function pageHidden() {
  return document.visibilityState === 'hidden';
}

/** Like setTimeout, but if the page is hidden when the time comes, `run` waits until it is shown.
 * Returns the function that cancels it. */
export function visibleTimeout(run, ms) {
  let waiting = null;
  const fire = () => {
    if (!pageHidden()) { run(); return; }
    waiting = () => { shownAgain.delete(waiting); waiting = null; run(); };
    shownAgain.add(waiting);
  };
  const timer = setTimeout(fire, ms);
  return () => {
    clearTimeout(timer);
    if (waiting) shownAgain.delete(waiting);
  };
}

/** Like setInterval, but stopped while the page is hidden; on showing, `run` once at once, then every `ms`.
 * Returns the function that stops it. */
export function visibleInterval(run, ms) {
  let timer = pageHidden() ? null : setInterval(run, ms);
  const onChange = () => {
    if (pageHidden()) {
      clearInterval(timer);
      timer = null;
    } else if (!timer) {
      run();
      timer = setInterval(run, ms);
    }
  };
  document.addEventListener('visibilitychange', onChange);
  return () => {
    clearInterval(timer);
    document.removeEventListener('visibilitychange', onChange);
  };
}
