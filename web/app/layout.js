// The frame around every signed-in page: a header with who is signed in, and for a
// property the left sidebar (Overview, Invoices, Residents).

import {h} from './dom.js';

export function shell({session, title, onSignOut, sidebar, context}) {
  const main = h('main', {id: 'main', class: 'main', tabindex: '-1'});
  const header = h(
    'header',
    {class: 'topbar'},
    h('a', {class: 'brand', href: '/'}, h('span', {class: 'brand-mark', 'aria-hidden': 'true'}), 'HOA Billing'),
    context ? h('span', {class: 'topbar-context'}, context) : null,
    session
      ? h(
          'div',
          {class: 'topbar-user'},
          h('span', {class: 'user-name'}, session.name || ''),
          h('button', {type: 'button', class: 'button button-link', onClick: onSignOut}, 'Sign out'),
        )
      : null,
  );
  const body = h('div', {class: sidebar ? 'layout with-sidebar' : 'layout'}, sidebar || null, main);
  document.title = title ? `${title} · HOA Billing` : 'HOA Billing';
  return {root: h('div', {class: 'app'}, header, body), main};
}

export function propertySidebar(propertyId, current) {
  const base = `/properties/${encodeURIComponent(propertyId)}`;
  const link = (href, label, key) =>
    h('a', {href, class: 'sidebar-link', 'aria-current': current === key ? 'page' : null}, label);
  return h(
    'nav',
    {class: 'sidebar', 'aria-label': 'Property'},
    link(base, 'Overview', 'overview'),
    link(`${base}/invoices`, 'Invoices', 'invoices'),
    link(`${base}/residents`, 'Residents', 'residents'),
  );
}

/** A page heading (focused after navigation) with room for buttons on the right. */
export function pageHeader(title, ...actions) {
  return h(
    'div',
    {class: 'page-header'},
    h('h1', {tabindex: '-1'}, title),
    actions.length ? h('div', {class: 'page-actions'}, actions) : null,
  );
}

export function loading(text = 'Loading…') {
  return h('p', {class: 'loading', role: 'status'}, h('span', {class: 'spinner', 'aria-hidden': 'true'}), text);
}

/** An error in words, with a way to try again. */
export function errorPanel(error, retry) {
  return h(
    'div',
    {class: 'notice notice-error', role: 'alert'},
    h('p', {}, error?.message || 'Something went wrong.'),
    retry ? h('button', {type: 'button', class: 'button button-secondary', onClick: retry}, 'Try again') : null,
  );
}

export function notice(kind, ...children) {
  return h('div', {class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status'}, children);
}
