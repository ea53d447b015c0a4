// Modal dialogs: the rest of the page is inert, Tab stays inside, Escape closes
// (unless the dialog is busy), and focus goes back to what opened it.

import {h, fill, uid} from './dom.js';

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), ' +
  'textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

function focusables(root) {
  return Array.from(root.querySelectorAll(FOCUSABLE)).filter((el) => el.getClientRects().length > 0);
}

const open = new Set();

/** Close every open dialog (the page behind them is being replaced: a link was followed). */
export function closeAllDialogs() {
  for (const handle of [...open]) handle.close(null);
}

/**
 * openDialog({title, description?}) -> {body, footer, setContent(body, actions), close(result),
 * closed (a promise of the result), busy}
 */
export function openDialog({title, className = ''}) {
  const opener = document.activeElement;
  const titleId = uid('dialog-title');
  const body = h('div', {class: 'dialog-body'});
  const footer = h('div', {class: 'dialog-actions'});
  const heading = h('h2', {id: titleId, class: 'dialog-title', tabindex: '-1'}, title);
  const dialog = h('dialog', {class: `dialog ${className}`.trim(), 'aria-labelledby': titleId}, heading, body, footer);
  let resolve;
  const handle = {
    dialog,
    body,
    footer,
    busy: false,
    closed: new Promise((r) => {
      resolve = r;
    }),
    setTitle(text) {
      heading.textContent = text;
    },
    setContent(content, actions) {
      fill(body, content);
      fill(footer, actions || []);
      handle.focusFirst();
    },
    focusFirst() {
      const first =
        body.querySelector('[autofocus]') ||
        focusables(body).find((el) => el.matches('input, select, textarea')) ||
        footer.querySelector('.button-primary:not([disabled])') ||
        focusables(dialog)[0] ||
        heading;
      first.focus();
    },
    close(result = null) {
      open.delete(handle);
      if (!dialog.isConnected) return;
      dialog.close();
      dialog.remove();
      const back = opener && opener.isConnected ? opener : document.querySelector('#main h1');
      if (back) back.focus();
      resolve(result);
    },
  };
  dialog.addEventListener('cancel', (event) => {
    event.preventDefault();
    if (!handle.busy) handle.close(null);
  });
  dialog.addEventListener('keydown', (event) => {
    if (event.key !== 'Tab') return;
    const items = focusables(dialog);
    if (!items.length) {
      event.preventDefault();
      return;
    }
    const first = items[0];
    const last = items[items.length - 1];
    if (event.shiftKey && (document.activeElement === first || !dialog.contains(document.activeElement))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (document.activeElement === last || !dialog.contains(document.activeElement))) {
      event.preventDefault();
      first.focus();
    }
  });
  document.body.append(dialog);
  open.add(handle);
  dialog.showModal();
  heading.focus();
  return handle;
}

export function button(label, {kind = 'secondary', onClick, type = 'button', disabled = false, ...rest} = {}) {
  return h('button', {type, class: `button button-${kind}`, onClick, disabled, ...rest}, label);
}
