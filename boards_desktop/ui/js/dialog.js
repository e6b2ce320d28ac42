// Modal questions in <dialog>: confirm before deleting, ask for a name. Escape or Cancel says no.
import {h} from './dom.js';

function open(dialog) {
  document.body.append(dialog);
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue);
      dialog.remove();
    }, {once: true});
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
  return (await open(dialog)) === 'ok';
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
  // Enter in a field (Ctrl/Cmd+Enter in a text area) submits: the form's first button is Cancel,
  // which the browser's own implicit submission would press.
  form.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || event.isComposing) return;
    const multiline = event.target.tagName === 'TEXTAREA';
    if (event.target.tagName !== 'INPUT' && !multiline) return;
    if (multiline && !(event.ctrlKey || event.metaKey)) return;
    event.preventDefault();
    form.requestSubmit(okButton);
  });
  const dialog = h('dialog', {'aria-labelledby': 'dialog-title', dataset: {testid: 'form-dialog'}}, form);
  queueMicrotask(() => inputs[0]?.control.select());
  if ((await open(dialog)) !== 'ok') return null;
  return Object.fromEntries(inputs.map(({field, control}) => [field.name, control.value.trim()]));
}
