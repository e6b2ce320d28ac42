// Modal questions in <dialog>: confirm before deleting, ask for a name, pick one of a list.
// Escape or Cancel says no; Enter in a field presses the dialog's own button (never Cancel).
import {h} from './dom.js';

/** Show a <dialog> built by the caller; resolves to its returnValue once closed (then removes it). */
export function openDialog(dialog) {
  document.body.append(dialog);
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue);
      dialog.remove();
    }, {once: true});
  });
}

/**
 * Enter in a field of `form` (Ctrl/Cmd+Enter in a text area) presses `okButton`. Our dialogs put
 * Cancel first, and the browser's own implicit submission presses the first submit button.
 */
export function enterPresses(form, okButton) {
  form.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || event.isComposing) return;
    const multiline = event.target.tagName === 'TEXTAREA';
    if (event.target.tagName !== 'INPUT' && !multiline) return;
    if (multiline && !(event.ctrlKey || event.metaKey)) return;
    event.preventDefault();
    if (!okButton.disabled) form.requestSubmit(okButton);
  });
}

/** await confirmDialog({title, message, confirm: 'Delete', danger: true}) -> true/false */
export async function confirmDialog({title, message, confirm = 'OK', danger = false}) {
  const dialog = h('dialog', {'aria-labelledby': 'dialog-title', dataset: {testid: 'confirm-dialog'}},
    h('form', {method: 'dialog'},
      h('h2', {id: 'dialog-title'}, title),
      message && h('p', {}, message),
      h('div', {class: 'dialog-actions'},
        h('button', {value: 'cancel', type: 'submit'}, 'Cancel'),
        h('button', {value: 'ok', type: 'submit', class: danger ? 'danger solid' : 'primary', autofocus: true}, confirm),
      ),
    ),
  );
  return (await openDialog(dialog)) === 'ok';
}

/**
 * await formDialog({title, fields: [{name, label, value, multiline, required}], submit: 'Save'})
 * -> {name: value, ...} or null when cancelled.
 */
export async function formDialog({title, fields, submit = 'Save'}) {
  const inputs = fields.map((field) => {
    const id = `dialog-field-${field.name}`;
    const control = field.multiline
      ? h('textarea', {id, name: field.name, rows: 3, required: field.required})
      : h('input', {id, name: field.name, type: 'text', required: field.required, autocomplete: 'off'});
    control.value = field.value ?? '';
    return {field, control, row: h('div', {class: 'field'}, h('label', {for: id}, field.label), control)};
  });
  const okButton = h('button', {value: 'ok', type: 'submit', class: 'primary'}, submit);
  const form = h('form', {method: 'dialog'},
    h('h2', {id: 'dialog-title'}, title),
    inputs.map((input) => input.row),
    h('div', {class: 'dialog-actions'},
      h('button', {value: 'cancel', type: 'submit', formnovalidate: true}, 'Cancel'),
      okButton,
    ),
  );
  enterPresses(form, okButton);
  const dialog = h('dialog', {'aria-labelledby': 'dialog-title', dataset: {testid: 'form-dialog'}}, form);
  queueMicrotask(() => inputs[0]?.control.select());
  if ((await openDialog(dialog)) !== 'ok') return null;
  return Object.fromEntries(inputs.map(({field, control}) => [field.name, control.value.trim()]));
}

/**
 * await choiceDialog({title, message, choices: [{value, label, detail}], submit: 'Use'}) -> a value or null.
 * A radio list, the first chosen; arrows move, Enter or a double click takes the choice.
 */
export async function choiceDialog({title, message, choices, submit = 'OK', testid = 'choice-dialog'}) {
  const rows = choices.map((choice, i) => {
    const id = `choice-${i}`;
    const radio = h('input', {type: 'radio', name: 'choice', value: String(i), id, checked: i === 0});
    const row = h('label', {class: 'board-pick', for: id, dataset: {value: choice.value}},
      radio, h('span', {class: 'board-pick-title'}, choice.label), choice.detail ? h('span', {class: 'muted'}, choice.detail) : null);
    return {choice, radio, row};
  });
  const okButton = h('button', {value: 'ok', type: 'submit', class: 'primary'}, submit);
  const form = h('form', {method: 'dialog'},
    h('h2', {id: 'choice-title'}, title),
    message && h('p', {class: 'muted'}, message),
    h('div', {class: 'board-pick-list', role: 'radiogroup', 'aria-labelledby': 'choice-title'}, rows.map((r) => r.row)),
    h('div', {class: 'dialog-actions'},
      h('button', {value: 'cancel', type: 'submit', formnovalidate: true}, 'Cancel'),
      okButton));
  enterPresses(form, okButton);
  form.addEventListener('dblclick', (event) => { if (event.target.closest('.board-pick')) form.requestSubmit(okButton); });
  const dialog = h('dialog', {'aria-labelledby': 'choice-title', dataset: {testid}}, form);
  queueMicrotask(() => rows[0]?.radio.focus());
  if ((await openDialog(dialog)) !== 'ok') return null;
  return rows.find((r) => r.radio.checked)?.choice.value ?? null;
}
