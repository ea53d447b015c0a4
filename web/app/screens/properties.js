// Which property to work on (a manager's properties; every property for an administrator,
// who also creates them), and a property's overview (its dashboard).

import {newIdempotencyKey, path} from '../api.js';
import {field, h, fill} from '../dom.js';
import {button, openDialog} from '../dialog.js';
import {CURRENCIES, STATUSES, timeZones, zoneWords} from '../format.js';
import {showFieldErrors} from '../forms.js';
import {errorPanel, loading, notice, pageHeader} from '../layout.js';
import {navigate} from '../router.js';
import {toast} from '../toast.js';

const PAGE = 50;

export async function propertiesView(view) {
  const {main, api, session} = view;
  const admin = session.role === 'admin';
  const create = admin ? button('New property', {kind: 'primary', id: 'new-property', onClick: () => openCreate()}) : null;
  const results = h('div', {'aria-live': 'polite'});
  fill(main, pageHeader('Properties', create), results);
  let rows = [];
  let cursor = null;

  async function load(more = false) {
    if (!more) fill(results, loading('Loading properties…'));
    try {
      const page = await api.get('/properties', {limit: PAGE, cursor: more ? cursor : null});
      if (!view.isCurrent()) return;
      rows = more ? rows.concat(page.items) : page.items;
      cursor = page.next_cursor;
      draw();
    } catch (error) {
      if (view.isCurrent()) fill(results, errorPanel(error, () => load(more)));
    }
  }

  function draw() {
    if (!rows.length) {
      fill(
        results,
        h(
          'p',
          {class: 'empty'},
          admin ? 'There are no properties yet. Create the first with New property.' : 'You manage no properties yet.',
        ),
      );
      return;
    }
    const href = (p) => (admin ? path`/properties/${p.property_id}/settings` : path`/properties/${p.property_id}`);
    fill(
      results,
      h(
        'table',
        {class: 'table properties'},
        h('caption', {class: 'visually-hidden'}, 'Properties'),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Property', 'Time zone', 'Currency', 'Emails are sent as', 'Replies go to'].map((t) => h('th', {scope: 'col'}, t)),
          ),
        ),
        h(
          'tbody',
          {},
          rows.map((p) =>
            h(
              'tr',
              {},
              h('td', {'data-label': 'Property'}, h('a', {href: href(p)}, p.name)),
              h('td', {'data-label': 'Time zone'}, zoneWords(p.time_zone)),
              h('td', {'data-label': 'Currency'}, p.currency),
              h('td', {'data-label': 'Sent as'}, p.sender_name),
              h('td', {'data-label': 'Replies to', class: 'break'}, p.reply_to_email || '—'),
            ),
          ),
        ),
      ),
      cursor ? button('Load more', {class: 'button button-secondary load-more', onClick: () => load(true)}) : null,
    );
  }

  function openCreate() {
    const dialog = openDialog({title: 'New property', className: 'dialog-wide'});
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'America/New_York';
    const controls = {
      name: h('input', {type: 'text', id: 'property-name-input', maxlength: '120', autocomplete: 'off'}),
      time_zone: h(
        'select',
        {id: 'property-time-zone'},
        timeZones(zone).map((z) => h('option', {value: z, selected: z === zone}, zoneWords(z))),
      ),
      currency: h('select', {id: 'property-currency'}, CURRENCIES.map((c) => h('option', {value: c}, c))),
      sender_name: h('input', {type: 'text', id: 'property-sender', maxlength: '120', autocomplete: 'off'}),
      reply_to_email: h('input', {type: 'email', id: 'property-reply-to', maxlength: '254', autocomplete: 'off'}),
    };
    const fields = {
      name: field({label: 'Name', control: controls.name}),
      time_zone: field({
        label: 'Time zone',
        control: controls.time_zone,
        hint: 'Due dates and overdue invoices are judged in it.',
      }),
      currency: field({label: 'Currency', control: controls.currency, hint: 'Invoices are billed in it; it cannot change later.'}),
      sender_name: field({
        label: 'Emails are sent as (optional)',
        control: controls.sender_name,
        hint: 'The name residents see as the sender. Empty: the property’s name.',
      }),
      reply_to_email: field({
        label: 'Replies go to (optional)',
        control: controls.reply_to_email,
        hint: 'Where residents’ replies go, such as the management office.',
      }),
    };
    const status = h('div', {'aria-live': 'polite'});
    const go = button('Create property', {kind: 'primary', type: 'submit', id: 'confirm-new-property'});
    const key = newIdempotencyKey();
    const form = h('form', {id: 'new-property-form', novalidate: true}, Object.values(fields), status);
    dialog.setContent(form, [button('Cancel', {onClick: () => dialog.close(null)}), go]);
    go.setAttribute('form', 'new-property-form');
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      status.replaceChildren();
      Object.values(fields).forEach((f) => f.setError(''));
      const body = {
        name: controls.name.value.trim(),
        time_zone: controls.time_zone.value,
        currency: controls.currency.value,
      };
      if (!body.name) {
        fields.name.setError('Enter the property’s name.');
        controls.name.focus();
        return;
      }
      if (controls.sender_name.value.trim()) body.sender_name = controls.sender_name.value.trim();
      if (controls.reply_to_email.value.trim()) body.reply_to_email = controls.reply_to_email.value.trim();
      go.disabled = true;
      dialog.busy = true;
      try {
        const {data} = await api.post('/properties', body, {idempotencyKey: key});
        dialog.busy = false;
        dialog.close(true);
        toast(`${data.name} is created.`);
        navigate(path`/properties/${data.property_id}/settings`);
      } catch (error) {
        dialog.busy = false;
        go.disabled = false;
        if (!showFieldErrors(error, fields, controls, status)) status.replaceChildren(errorPanel(error));
      }
    });
  }

  await load();
}

export async function overviewView(view) {
  const {main, api, params, session} = view;
  const base = path`/properties/${params.pid}`;
  if (session.role === 'admin') {
    navigate(`${base}/settings`, {replace: true}); // an administrator configures; managers bill
    return;
  }
  fill(main, pageHeader('Overview'), loading());
  // The residents to notify another way: Open and Overdue invoices published without an
  // email address, a page of the invoice list (the summary is counts only).
  const [property, summary, unnotified] = await Promise.all([
    view.property(),
    api.get(`${base}/invoices/summary`),
    api.get(`${base}/invoices`, {email: 'skipped_no_address', limit: 100}),
  ]);
  if (!view.isCurrent()) return;
  const cards = STATUSES.map((status) =>
    h(
      'a',
      {class: `stat stat-${status.toLowerCase()}`, href: `${base}/invoices?status=${status}`},
      h('span', {class: 'stat-count'}, String(summary.counts[status] ?? 0)),
      h('span', {class: 'stat-label'}, status),
    ),
  );
  const unreachable = unnotified.items || [];
  fill(
    main,
    pageHeader(property.name),
    h('section', {'aria-label': 'Invoices by status', class: 'stats'}, cards),
    summary.drafts.count
      ? h(
          'p',
          {},
          `${summary.drafts.count} draft invoice${summary.drafts.count === 1 ? ' is' : 's are'} waiting to be published `,
          `(${summary.drafts.total.formatted}). `,
          h('a', {href: `${base}/invoices?status=Draft`}, 'Review drafts'),
        )
      : null,
    unreachable.length
      ? h(
          'section',
          {class: 'card', 'aria-labelledby': 'unreachable'},
          h('h2', {id: 'unreachable'}, 'Residents to notify another way'),
          h('p', {class: 'muted'}, 'These published invoices went out without an email: the resident has no address on file.'),
          h(
            'ul',
            {class: 'link-list'},
            unreachable.map((row) =>
              h('li', {}, h('a', {href: `${base}/invoices/${encodeURIComponent(row.invoice_id)}`}, row.number), ` ${row.resident_name}`),
            ),
          ),
        )
      : null,
    notice('info', h('p', {}, 'Emails to residents are sent as ', h('strong', {}, property.sender_name), property.reply_to_email ? [', replies go to ', h('strong', {}, property.reply_to_email)] : '', '. ', h('a', {href: `${base}/settings`}, 'Change the settings'))),
  );
}
