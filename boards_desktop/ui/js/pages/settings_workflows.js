// Settings › Local engines › ComfyUI: the workflow files offered as `comfyui/<name>` generators, and
// those left out (and why). Hooks for tests: workflows, workflows-folder, workflows-refresh.
import {gql} from '../api.js';
import {h} from '../dom.js';
import {toast, toastError} from '../toast.js';

const WORKFLOW_FIELDS = 'folder generators { name description available unavailableReason } problems { path reason }';
const WORKFLOWS = `{ comfyuiWorkflows { ${WORKFLOW_FIELDS} } }`;
const REFRESH_WORKFLOWS = `mutation Refresh { refreshComfyuiWorkflows { ${WORKFLOW_FIELDS} } }`;

/** The workflow files offered as `comfyui/<name>` generators, and those left out (and why). */
export function workflowsBlock({sentence}) {
  const block = h('div', {class: 'workflows', dataset: {testid: 'workflows', state: 'loading'}},
    h('p', {class: 'muted'}, 'Reading the workflow folder…'));
  const refresh = async (button) => {
    button.disabled = true;
    try {
      const {refreshComfyuiWorkflows: listing} = await gql(REFRESH_WORKFLOWS);
      draw(listing);
      toast(`Workflow folder read: ${listing.generators.length} offered${listing.problems.length ? `, ${listing.problems.length} left out` : ''}`, {kind: 'ok'});
    } catch (error) {
      toastError('Could not read the workflow folder', error);
      button.disabled = false;
    }
  };
  gql(WORKFLOWS).then(({comfyuiWorkflows}) => draw(comfyuiWorkflows), (error) => {
    block.replaceChildren(h('p', {class: 'error'}, `The workflows could not be listed: ${error.message}`));
    block.dataset.state = 'error';
  });
  return block;

  function draw(listing) {
    const button = h('button', {type: 'button', dataset: {testid: 'workflows-refresh'}, onclick: () => refresh(button)}, 'Read the folder again');
    block.replaceChildren(
      h('div', {class: 'workflows-head'},
        h('div', {},
          h('div', {class: 'label'}, 'Workflows'),
          h('p', {class: 'hint'}, 'Put your own workflow files (and their mappings) in ',
            h('code', {class: 'path', title: listing.folder, dataset: {testid: 'workflows-folder'}}, listing.folder))),
        button),
      listing.generators.length
        ? h('ul', {class: 'workflow-list'}, listing.generators.map((generator) => h('li', {dataset: {available: String(generator.available)}},
          h('span', {class: `status-dot${generator.available ? ' set' : ''}`, 'aria-hidden': 'true'}),
          h('span', {class: 'workflow-name'}, generator.name.replace(/^comfyui\//, '')),
          h('span', {class: 'hint'}, generator.available ? (generator.description || 'Ready') : sentence(generator.unavailableReason ?? 'Not available')))))
        : h('p', {class: 'muted workflows-none'}, 'No workflows are offered yet.'),
      listing.problems.length
        ? h('ul', {class: 'workflow-problems', 'aria-label': 'Workflow files left out'}, listing.problems.map((problem) => h('li', {},
          h('code', {}, problem.path), ' — ', sentence(problem.reason))))
        : '');
    block.dataset.state = 'ready';
  }
}
