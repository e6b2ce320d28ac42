// Fields that follow the choices: a field whose schema says `x-visible-when: {other: [values] | true}`
// is shown only while each named field holds one of those values (or, for `true`, anything at all).
// The composer calls applyVisibility(controls) after every change; a hidden row is not sent.
// Hooks for tests: .field[data-visible=true|false] once a condition has been applied.

/** Show the rows whose conditions hold and hide the others. */
export function applyVisibility(controls) {
  const byName = new Map(controls.map((c) => [c.field.name, c]));
  for (const c of controls) {
    const rules = c.field.visibleWhen;
    if (!rules) continue;
    const shown = Object.entries(rules).every(([name, allowed]) => {
      const other = byName.get(name);
      if (!other) return true;  // a condition on a field the form lacks cannot hide anything
      const {empty, value} = other.read();
      if (allowed === true) return !empty;
      return !empty && allowed.some((option) => option === value || String(option) === String(value));
    });
    if (c.row.hidden === !shown) continue;
    c.row.hidden = !shown;
    c.row.dataset.visible = String(shown);
  }
}
