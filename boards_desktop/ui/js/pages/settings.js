// Settings: provider keys, the local engine, concurrency, where the data lives, the theme.
import {h} from '../dom.js';
import {setCrumbs} from '../app.js';

export function mount(container) {
  setCrumbs([{label: 'Settings'}]);
  container.append(h('div', {class: 'settings'}, h('h1', {}, 'Settings')));
}
