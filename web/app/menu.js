// The ⋮ actions menu (menu button pattern): arrow keys move, Escape closes and returns
// focus to the button. An action the API says is unavailable stays visible, greyed, with
// the reason: shown under it, as its tooltip, and as its description (aria-describedby),
// so a keyboard or screen-reader user who moves onto it hears why.

import {h, uid} from './dom.js';

/** items: [{label, onSelect, disabled?, reason?, danger?}] */
export function actionMenu({label = 'Actions', items}) {
  const menuId = uid('menu');
  const toggle = h(
    'button',
    {
      type: 'button',
      class: 'button button-secondary menu-button',
      'aria-haspopup': 'menu',
      'aria-expanded': 'false',
      'aria-controls': menuId,
      'aria-label': label,
      title: label,
    },
    h('span', {'aria-hidden': 'true'}, '⋮'),
  );
  const entries = items.map((item) => {
    const reasonId = item.reason ? uid('reason') : null;
    const entry = h(
      'button',
      {
        type: 'button',
        role: 'menuitem',
        class: `menu-item${item.danger ? ' menu-item-danger' : ''}`,
        tabindex: '-1',
        'aria-disabled': item.disabled ? 'true' : null,
        'aria-describedby': reasonId,
        title: item.reason || null,
      },
      h('span', {class: 'menu-item-label'}, item.label),
      item.reason ? h('span', {class: 'menu-item-reason', id: reasonId}, item.reason) : null,
    );
    entry.addEventListener('click', () => {
      if (item.disabled) return;
      close(true);
      item.onSelect();
    });
    return entry;
  });
  // What can be done first; then, under a separator, a group of what cannot be done now and why.
  const possible = entries.filter((_, i) => !items[i].disabled);
  const greyed = entries.filter((_, i) => items[i].disabled);
  const children = [
    possible,
    possible.length && greyed.length ? h('div', {role: 'separator', class: 'menu-separator'}) : null,
    greyed.length
      ? h(
          'div',
          {role: 'group', 'aria-label': 'Not available now'},
          h('p', {class: 'menu-group-label', 'aria-hidden': 'true'}, 'Not available now'),
          greyed,
        )
      : null,
  ];
  entries.splice(0, entries.length, ...possible, ...greyed); // arrow keys follow what is shown
  const list = h(
    'div',
    {class: 'menu', role: 'menu', id: menuId, 'aria-label': label, hidden: true},
    entries.length ? children : h('p', {class: 'menu-empty'}, 'No actions are available.'),
  );
  const wrapper = h('div', {class: 'menu-wrapper'}, toggle, list);

  function open(focusLast = false) {
    list.hidden = false;
    toggle.setAttribute('aria-expanded', 'true');
    const target = focusLast ? entries[entries.length - 1] : entries[0];
    (target || list).focus();
    document.addEventListener('pointerdown', outside, true);
  }
  function close(returnFocus) {
    list.hidden = true;
    toggle.setAttribute('aria-expanded', 'false');
    document.removeEventListener('pointerdown', outside, true);
    if (returnFocus) toggle.focus();
  }
  function outside(event) {
    if (!wrapper.contains(event.target)) close(false);
  }
  toggle.addEventListener('click', () => (list.hidden ? open() : close(true)));
  toggle.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      open(event.key === 'ArrowUp');
    }
  });
  list.addEventListener('keydown', (event) => {
    const index = entries.indexOf(document.activeElement);
    const move = (to) => {
      event.preventDefault();
      entries[(to + entries.length) % entries.length]?.focus();
    };
    if (event.key === 'ArrowDown') move(index + 1);
    else if (event.key === 'ArrowUp') move(index - 1);
    else if (event.key === 'Home') move(0);
    else if (event.key === 'End') move(entries.length - 1);
    else if (event.key === 'Escape') {
      event.preventDefault();
      close(true);
    } else if (event.key === 'Tab') close(false);
  });
  list.setAttribute('tabindex', '-1');
  return wrapper;
}
