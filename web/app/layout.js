// The frame around every signed-in page: a header with who is signed in, and for a
// property the left sidebar (Overview, Invoices, Residents).

import {h, uid} from './dom.js';

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

/** The property's pages. An administrator configures properties and acts on no invoices,
 * so they see its settings only. */
export function propertySidebar(propertyId, current, role) {
  const base = `/properties/${encodeURIComponent(propertyId)}`;
  const link = (href, label, key) =>
    h('a', {href, class: 'sidebar-link', 'aria-current': current === key ? 'page' : null}, label);
  if (role === 'admin') {
    return h(
      'nav',
      {class: 'sidebar', 'aria-label': 'Property'},
      link('/properties', 'All properties', 'all'),
      link(`${base}/settings`, 'Settings', 'settings'),
    );
  }
  return h(
    'nav',
    {class: 'sidebar', 'aria-label': 'Property'},
    link(base, 'Overview', 'overview'),
    link(`${base}/invoices`, 'Invoices', 'invoices'),
    link(`${base}/residents`, 'Residents', 'residents'),
    link(`${base}/settings`, 'Settings', 'settings'),
  );
}

/**
 * The header's property: its name, and when the person works on several, a disclosure
 * listing the others (links, so each is a real page to open or share).
 */
export function propertySwitcher({current, properties, allHref}) {
  const others = properties.filter((p) => p.property_id !== current.property_id);
  if (!others.length && !allHref) {
    return h('span', {class: 'topbar-context', id: 'property-name'}, current.name);
  }
  const listId = uid('switcher');
  const toggle = h(
    'button',
    {
      type: 'button',
      class: 'switcher-button',
      'aria-expanded': 'false',
      'aria-controls': listId,
      id: 'property-switcher',
    },
    h('span', {class: 'visually-hidden'}, 'Property: '),
    h('span', {id: 'property-name'}, current.name),
    h('span', {class: 'switcher-caret', 'aria-hidden': 'true'}, '▾'),
  );
  const link = (p) =>
    h(
      'li',
      {},
      h(
        'a',
        {href: `/properties/${encodeURIComponent(p.property_id)}`, 'aria-current': p.property_id === current.property_id ? 'page' : null},
        p.name,
      ),
    );
  const list = h(
    'div',
    {class: 'switcher-list', id: listId, hidden: true},
    h('p', {class: 'switcher-heading'}, 'Switch property'),
    h('ul', {}, [current, ...others].map(link)),
    allHref ? h('p', {class: 'switcher-all'}, h('a', {href: allHref}, 'All properties')) : null,
  );
  const wrapper = h('div', {class: 'topbar-context switcher'}, toggle, list);
  const close = (focus) => {
    list.hidden = true;
    toggle.setAttribute('aria-expanded', 'false');
    document.removeEventListener('pointerdown', outside, true);
    if (focus) toggle.focus();
  };
  function outside(event) {
    if (!wrapper.contains(event.target)) close(false);
  }
  toggle.addEventListener('click', () => {
    if (!list.hidden) return close(true);
    list.hidden = false;
    toggle.setAttribute('aria-expanded', 'true');
    list.querySelector('a')?.focus();
    document.addEventListener('pointerdown', outside, true);
  });
  wrapper.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !list.hidden) {
      event.preventDefault();
      close(true);
    }
  });
  wrapper.addEventListener('focusout', (event) => {
    if (!list.hidden && event.relatedTarget && !wrapper.contains(event.relatedTarget)) close(false);
  });
  return wrapper;
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
