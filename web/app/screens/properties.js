// Which property to work on, and a property's overview (its dashboard).

import {path} from '../api.js';
import {h, fill} from '../dom.js';
import {loading, notice, pageHeader} from '../layout.js';
import {STATUSES} from '../format.js';
import {propertyIdsOf} from '../session.js';

export async function propertiesView(view) {
  const {main, api, session} = view;
  fill(main, pageHeader('Properties'), loading());
  let items = null;
  let missing = false;
  try {
    items = (await api.get('/properties')).items;
  } catch (error) {
    if (!error.routeMissing) throw error;
    missing = true;
  }
  if (!view.isCurrent()) return;
  if (missing) {
    const ids = propertyIdsOf(session.claims);
    items = ids.map((id) => ({property_id: id, name: null}));
  }
  const list = items.length
    ? h(
        'ul',
        {class: 'link-list'},
        items.map((p) =>
          h(
            'li',
            {},
            h('a', {href: path`/properties/${p.property_id}`}, p.name || p.property_id),
            p.name ? h('span', {class: 'muted'}, ` ${p.property_id}`) : null,
          ),
        ),
      )
    : notice(
        'info',
        h(
          'p',
          {},
          missing
            ? 'This API cannot list properties yet. Managers reach their properties from their sign-in.'
            : 'There are no properties yet.',
        ),
      );
  fill(main, pageHeader('Properties'), list);
}

export async function overviewView(view) {
  const {main, api, params} = view;
  const base = path`/properties/${params.pid}`;
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
    pageHeader(property.name || 'Overview'),
    property.name ? null : h('p', {class: 'muted'}, `Property ${params.pid}`),
    h('section', {'aria-label': 'Invoices by status', class: 'stats'}, cards),
    summary.drafts.count
      ? h(
          'p',
          {},
          `${summary.drafts.count} draft invoice${summary.drafts.count === 1 ? '' : 's'} (${summary.drafts.total.formatted}) `,
          'are waiting to be published. ',
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
  );
}
