// The Invoices page: the table (number, resident, amount, due date, status, email),
// newest first; a status filter and a search box (the API searches: an invoice number or
// part of a resident's name); "Publish All (N)" top-right while drafts exist, and while a
// Publish All runs (found again after a reload) its progress instead.

import {path} from '../api.js';
import {h, fill} from '../dom.js';
import {emailWords, formatDate, STATUSES, statusBadge} from '../format.js';
import {errorPanel, loading, pageHeader} from '../layout.js';
import {navigate} from '../router.js';
import {FINISHED, followJob, jobDone, jobLink, openPublishAll, runningJob} from './publish_all.js';

const PAGE = 50;

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
    maxlength: '120',
  });
  const filters = h(
    'form',
    {
      class: 'filters',
      role: 'search',
      onSubmit: (e) => {
        e.preventDefault();
        searchNow();
      },
    },
    h('div', {class: 'field inline'}, h('label', {for: 'status-filter'}, 'Status'), statusSelect),
    h('div', {class: 'field inline grow'}, h('label', {for: 'invoice-search'}, 'Search'), search),
  );
  const jobSlot = h('div', {id: 'running-job-slot'});
  const results = h('div', {class: 'results', 'aria-live': 'polite'});
  fill(main, header, jobSlot, filters, results);

  let timer = null;
  let stopWatching = () => {};
  view.onLeave(() => {
    clearTimeout(timer);
    stopWatching();
  });

  async function startPublishAll(job = null) {
    stopWatching();
    const changed = await openPublishAll(view, base, {job});
    if (changed && view.isCurrent()) view.rerender();
  }

  function publishAllButton(count) {
    fill(
      publishAllSlot,
      count > 0
        ? h(
            'button',
            {type: 'button', class: 'button button-primary', id: 'publish-all', onClick: () => startPublishAll()},
            `Publish All (${count})`,
          )
        : null,
    );
  }

  async function refreshSummary() {
    try {
      const [summary, running] = await Promise.all([api.get(`${base}/invoices/summary`), runningJob(api, params.pid)]);
      if (!view.isCurrent()) return;
      if (running) watch(running);
      else publishAllButton(summary.drafts.count);
    } catch (error) {
      if (error.status !== 401) fill(publishAllSlot);
    }
  }

  /**
   * A Publish All that is running (started here before a reload, or elsewhere): its
   * progress on the page, and the button opens it rather than starting another.
   */
  function watch(job) {
    const bar = h('progress', {
      id: 'running-job-progress',
      max: String(Math.max(job.total, 1)),
      value: '0',
      'aria-labelledby': 'running-job-text',
    });
    const text = h('p', {id: 'running-job-text'});
    const banner = h('section', {class: 'notice notice-info job-banner', id: 'running-job', 'aria-label': 'Publish All'}, text, bar);
    fill(jobSlot, banner);
    fill(
      publishAllSlot,
      h('button', {type: 'button', class: 'button button-primary', id: 'publish-all-running', onClick: () => startPublishAll(job)}, 'Publish All running…'),
    );
    const show = (current) => {
      const done = jobDone(current);
      const finished = FINISHED.has(current.state);
      bar.max = Math.max(current.total, 1);
      bar.value = Math.min(done, current.total);
      bar.setAttribute('aria-valuetext', `${done} of ${current.total}`);
      banner.dataset.state = current.state;
      text.replaceChildren(
        finished
          ? `Publish All finished: ${current.published} published, ${current.skipped} skipped, ${current.failed} failed.`
          : `Publish All is running: ${done} of ${current.total} done. `,
        finished ? '' : h('button', {type: 'button', class: 'button button-link', onClick: () => startPublishAll(job)}, 'View progress'),
      );
    };
    show(job);
    stopWatching = followJob(api, jobLink(params.pid, job.job_id), {
      absolute: false,
      onUpdate: async (current) => {
        if (!view.isCurrent()) return;
        show(current);
        if (!FINISHED.has(current.state)) return;
        banner.classList.replace('notice-info', current.failed ? 'notice-warning' : 'notice-success');
        await load();
        try {
          const summary = await api.get(`${base}/invoices/summary`);
          if (view.isCurrent()) publishAllButton(summary.drafts.count);
        } catch {
          fill(publishAllSlot);
        }
      },
      onError: (error) => fill(jobSlot, errorPanel(error)),
    });
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
    if (!state.rows.length) {
      const empty = state.q
        ? `No invoices match “${state.q}”${state.status ? ` among ${state.status} invoices` : ''}.`
        : state.status
          ? `No ${state.status} invoices.`
          : 'No invoices yet. Create one with New invoice.';
      fill(results, h('p', {class: 'empty', id: 'no-invoices-match'}, empty));
    } else {
      fill(
        results,
        h(
          'table',
          {class: 'table invoices'},
          h('caption', {class: 'visually-hidden'}, 'Invoices, newest first'),
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
          h('tbody', {}, state.rows.map(row)),
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
  function searchNow() {
    clearTimeout(timer);
    if (search.value.trim() === state.q) return;
    state.q = search.value.trim();
    remember();
    load();
  }
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(searchNow, 300);
  });
  await Promise.all([refreshSummary(), load()]);
}
