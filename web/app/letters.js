// Printed letters: the API prints a PDF in the background (202 "preparing" with
// Retry-After) and then hands out a short-lived link. A button asks, waits while the
// letter is printed, then becomes a link to the PDF: a link the manager clicks, so no
// popup blocker stands in the way.

import {ApiError} from './api.js';
import {h} from './dom.js';

const WAIT_MS = 2000;
const GIVE_UP_MS = 120000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Ask for a letter (or a job's letters) until the PDF is ready; resolves to the API's answer. */
export async function fetchLetter(api, apiPath, {onWaiting} = {}) {
  const started = Date.now();
  for (;;) {
    const data = await api.get(apiPath);
    if (!data || data.status !== 'preparing') return data;
    if (onWaiting) onWaiting(data);
    if (Date.now() - started > GIVE_UP_MS) {
      throw new ApiError(504, 'letter_not_ready', 'The letter is taking longer than usual to print. Try again in a minute.');
    }
    await sleep(WAIT_MS);
  }
}

/**
 * A "Print letter" button that turns into "Open letter (PDF)" once printed.
 * `label` is the button's text, `waiting` what it says while printing, `ready(data)`
 * the link's text; `none` what to say when there is nothing to print (a job without letters).
 */
export function letterButton(api, apiPath, {id, label, waiting, ready, none}) {
  const status = h('span', {class: 'field-hint', role: 'status', 'aria-live': 'polite', id: `${id}-status`});
  const button = h('button', {type: 'button', class: 'button button-secondary', id}, label);
  const holder = h('span', {class: 'letter-action'}, button, ' ', status);
  button.addEventListener('click', async () => {
    button.disabled = true;
    status.textContent = waiting;
    try {
      const data = await fetchLetter(api, apiPath, {
        onWaiting: (d) => {
          status.textContent = d.letters ? `${waiting} (${d.letters})` : waiting;
        },
      });
      if (!data.url) {
        status.textContent = none || 'Nothing to print.';
        button.disabled = false;
        return;
      }
      const link = h('a', {href: data.url, target: '_blank', rel: 'noopener', class: 'button button-primary', id: `${id}-link`}, ready(data));
      holder.replaceChildren(link, ' ', h('span', {class: 'field-hint'}, 'The link works for 15 minutes.'));
      link.focus();
    } catch (error) {
      status.textContent = error.message;
      button.disabled = false;
    }
  });
  return holder;
}
