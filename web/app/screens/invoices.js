// The Invoices page: the table (number, resident, amount, due date, status, email), a
// status filter and a search box, and "Publish All (N)" top-right while drafts exist.

import {path} from '../api.js';
import {h, fill} from '../dom.js';
import {emailWords, formatDate, STATUSES, statusBadge} from '../format.js';
import {errorPanel, loading, pageHeader} from '../layout.js';
import {navigate} from '../router.js';
import {openPublishAll} from './publish_all.js';

const PAGE = 50;

function normalize(text) {
  return String(text).normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().trim();
}

/** The same search the API does (number or resident name), also applied to what it returns. */
export function matchesSearch(row, q) {
  const needle = normalize(q);
  if (!needle) return true;
  const number = normalize(row.number);
  const digits = needle.replace(/^inv-?/, '').replace(/^0+/, '');
  const numberDigits = number.replace(/\D/g, '').replace(/^0+/, '');
  return number.includes(needle) || (digits !== '' && /^\d+$/.test(digits) && numberDigits === digits) ||
    normalize(row.resident_name).includes(needle);
}

export async function invoicesView(view) {
  const {main, api, params, query} = view;
  const base = path`/properties/${params.pid}`;
  const state = {status: query.get('status') || '', q: query.get('q') || '', cursor: null, rows: []};

  const publishAllSlot = h('span');
  const header = pageHeader(
    'Invoices',
    h('a', {class: 'button button-secondary', href: `${base}/invoices/new`}, 'New invoice'),
    publishAllSlot,
  );
  const statusSelect = h(
    'select',
    {id: 'status-filter', name: 'status'},
    h('option', {value: ''}, 'All statuses'),
    STATUSES.map((s) => h('option', {value: s, selected: s === state.status}, s)),
  );
  const search = h('input', {
    id: 'invoice-search',
    type: 'search',
    name: 'q',
    value: state.q,
    placeholder: 'Number or resident',
    autocomplete: 'off',
  });
  const filters = h(
    'form',
    {class: 'filters', role: 'search', onSubmit: (e) => e.preventDefault()},
    h('div', {class: 'field inline'}, h('label', {for: 'status-filter'}, 'Status'), statusSelect),
    h('div', {class: 'field inline grow'}, h('label', {for: 'invoice-search'}, 'Search'), search),
  );
  const results = h('div', {class: 'results', 'aria-live': 'polite'});
  fill(main, header, filters, results);

  async function refreshSummary() {
    try {
      const summary = await api.get(`${base}/invoices/summary`);
      if (!view.isCurrent()) return;
      const count = summary.drafts.count;
      fill(
        publishAllSlot,
        count > 0
          ? h(
              'button',
              {
                type: 'button',
                class: 'button button-primary',
                id: 'publish-all',
                onClick: async () => {
                  const changed = await openPublishAll(view, base);
                  if (changed) view.rerender();
                },
              },
              `Publish All (${count})`,
            )
          : null,
      );
    } catch (error) {
      if (error.status !== 401) fill(publishAllSlot);
    }
  }

  function row(item) {
    const href = `${base}/invoices/${encodeURIComponent(item.invoice_id)}`;
    const tr = h(
      'tr',
      {class: 'clickable'},
      h('td', {'data-label': 'Number'}, h('a', {href}, item.number)),
      h('td', {'data-label': 'Resident'}, item.resident_name),
      h('td', {'data-label': 'Amount', class: 'num'}, item.amount_due.formatted),
      h('td', {'data-label': 'Due'}, formatDate(item.due_date)),
      h('td', {'data-label': 'Status'}, statusBadge(item.status)),
      h('td', {'data-label': 'Email'}, item.status === 'Draft' ? '—' : emailWords(item.email_status)),
    );
    tr.addEventListener('click', (event) => {
      if (!event.target.closest('a')) navigate(href);
    });
    return tr;
  }

  function draw() {
    const shown = state.rows.filter((r) => matchesSearch(r, state.q));
    if (!shown.length) {
      const empty = state.q || state.status ? 'No invoices match.' : 'No invoices yet. Create one with New invoice.';
      fill(results, h('p', {class: 'empty'}, empty));
    } else {
      fill(
        results,
        h(
          'table',
          {class: 'table invoices'},
          h('caption', {class: 'visually-hidden'}, 'Invoices'),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['Number', 'Resident', 'Amount', 'Due date', 'Status', 'Email'].map((t) =>
                h('th', {scope: 'col', class: t === 'Amount' ? 'num' : null}, t),
              ),
            ),
          ),
          h('tbody', {}, shown.map(row)),
        ),
      );
    }
    if (state.cursor) {
      results.append(
        h('button', {type: 'button', class: 'button button-secondary load-more', onClick: () => load(true)}, 'Load more'),
      );
    }
  }

  let loads = 0;
  async function load(more = false) {
    const mine = ++loads;
    if (!more) {
      state.rows = [];
      state.cursor = null;
      fill(results, loading('Loading invoices…'));
    }
    try {
      const page = await api.get(`${base}/invoices`, {
        status: state.status,
        q: state.q,
        limit: PAGE,
        cursor: more ? state.cursor : null,
      });
      if (!view.isCurrent() || mine !== loads) return;
      state.rows = state.rows.concat(page.items);
      state.cursor = page.next_cursor;
      draw();
    } catch (error) {
      if (view.isCurrent() && mine === loads) fill(results, errorPanel(error, () => load(more)));
    }
  }

  function remember() {
    const params = new URLSearchParams();
    if (state.status) params.set('status', state.status);
    if (state.q) params.set('q', state.q);
    const text = params.toString();
    history.replaceState(null, '', location.pathname + (text ? `?${text}` : ''));
  }

  statusSelect.addEventListener('change', () => {
    state.status = statusSelect.value;
    remember();
    load();
  });
  let timer = null;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      state.q = search.value.trim();
      remember();
      load();
    }, 300);
  });
  view.onLeave(() => clearTimeout(timer));
  await Promise.all([refreshSummary(), load()]);
}
