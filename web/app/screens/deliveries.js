// A Publish All job's delivery report: who was emailed, whose email failed or bounced (and
// why), who has no address. In the Publish All dialog, once the job finished, its counts
// with a link to the report's page; the page lists the deliveries, filtered by email
// state and paged, and downloads them as CSV (fetched with the bearer token, then saved).

import {path} from '../api.js';
import {h, fill} from '../dom.js';
import {actorWords, emailWords, formatDateTime} from '../format.js';
import {errorPanel, loading, notice, pageHeader} from '../layout.js';
import {toast} from '../toast.js';

const PAGE = 50;
// The filters a manager needs after a Publish All, in the order they look for them.
export const FILTERS = [
  ['', 'All'],
  ['failed', 'Failed'],
  ['bounced', 'Bounced'],
  ['skipped_no_address', 'No address'],
  ['sent', 'Sent'],
  ['queued', 'Queued'],
];
const COUNTS = [
  ['emailed', 'Emailed'],
  ['sent', 'Sent'],
  ['failed', 'Failed'],
  ['bounced', 'Bounced'],
  ['no_address', 'No address'],
  ['letters_ready', 'Letters ready'],
];

export function deliveriesPath(propertyId, jobId) {
  return path`/properties/${propertyId}/publish-jobs/${jobId}/deliveries`;
}

/** The job's counts, each a term and a value (letters only once the API counts them). */
export function deliveryCounts(counts, idPrefix = 'delivery', extraClass = '') {
  return h(
    'dl',
    {class: `counts ${extraClass}`.trim(), id: `${idPrefix}-counts`},
    COUNTS.filter(([key]) => counts[key] !== undefined && counts[key] !== null).map(([key, label]) =>
      h('div', {}, h('dt', {}, label), h('dd', {id: `${idPrefix}-${key.replace(/_/g, '-')}`}, String(counts[key]))),
    ),
  );
}

/** Fetch the job's CSV (every part of it) with the token and save it as a file. */
export async function downloadCsv(api, propertyId, jobId, email) {
  const parts = [];
  let cursor = null;
  let filename = 'deliveries.csv';
  for (let i = 0; i < 100; i += 1) {
    const part = await api.download(`${deliveriesPath(propertyId, jobId)}.csv`, {email, cursor});
    filename = part.filename;
    let text = await part.blob.text();
    if (parts.length) text = text.replace(/^\uFEFF?[^\n]*\n/, ''); // one header row in the file
    parts.push(text);
    cursor = part.next;
    if (!cursor) break;
  }
  const url = URL.createObjectURL(new Blob(parts, {type: 'text/csv;charset=utf-8'}));
  const link = h('a', {href: url, download: filename, hidden: true});
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return filename;
}

function csvButton(api, propertyId, jobId, email, id = 'download-csv') {
  const button = h('button', {type: 'button', class: 'button button-secondary', id}, 'Download CSV');
  button.addEventListener('click', async () => {
    button.disabled = true;
    button.textContent = 'Preparing CSV…';
    try {
      const name = await downloadCsv(api, propertyId, jobId, email());
      toast(`Saved ${name}.`, 'info');
    } catch (error) {
      toast(error.message, 'error');
    } finally {
      button.disabled = false;
      button.textContent = 'Download CSV';
    }
  });
  return button;
}

/**
 * The dialog's section after a job finished: its delivery counts, a link to the report's
 * page and the CSV. Null when the job has no report (started before reports existed).
 */
export async function deliverySection({api, propertyId, job}) {
  const report = await api.get(deliveriesPath(propertyId, job.job_id), {limit: 1});
  if (!report.available) return null;
  const counts = report.counts;
  const waiting = counts.queued
    ? h('p', {class: 'muted'}, `${counts.queued} still queued: the counts grow as emails go out (and bounces come back).`)
    : null;
  return h(
    'section',
    {class: 'report-section', 'aria-labelledby': 'delivery-heading', id: 'delivery-section'},
    h('h3', {id: 'delivery-heading'}, 'Email delivery'),
    deliveryCounts(counts),
    waiting,
    h(
      'p',
      {class: 'notice-actions'},
      h('a', {href: deliveriesPath(propertyId, job.job_id), id: 'delivery-report-link', class: 'button button-secondary'}, 'Delivery report'),
      csvButton(api, propertyId, job.job_id, () => null, 'dialog-download-csv'),
    ),
  );
}

/** The report's page: /properties/:pid/publish-jobs/:jid/deliveries?email= */
export async function deliveriesView(view) {
  const {api, params, main} = view;
  const state = {email: view.query.get('email') || '', cursors: [null], page: 0};
  if (!FILTERS.some(([value]) => value === state.email)) state.email = '';
  const invoicesHref = path`/properties/${params.pid}/invoices`;
  const summary = h('div', {id: 'delivery-summary'}, loading('Reading the report…'));
  const select = h(
    'select',
    {id: 'delivery-filter'},
    FILTERS.map(([value, label]) => h('option', {value, selected: value === state.email}, label)),
  );
  const results = h('div', {id: 'delivery-results', 'aria-live': 'polite'});
  fill(
    main,
    h('a', {class: 'back', href: invoicesHref}, '← Invoices'),
    pageHeader('Delivery report', csvButton(api, params.pid, params.jid, () => state.email)),
    h('p', {class: 'muted', id: 'delivery-job'}, 'Publish All'),
    summary,
    h('div', {class: 'filters'}, h('div', {class: 'field'}, h('label', {for: 'delivery-filter'}, 'Show'), select)),
    results,
  );

  function row(item) {
    const invoiceHref = path`/properties/${params.pid}/invoices/${item.invoice_id}`;
    return h(
      'tr',
      {dataset: {status: item.email_status}},
      h('td', {'data-label': 'Invoice', class: 'nowrap'}, h('a', {href: invoiceHref}, item.number)),
      h('td', {'data-label': 'Resident'}, item.resident_name),
      h('td', {'data-label': 'Unit', class: 'nowrap'}, item.unit || '—'),
      h('td', {'data-label': 'Amount', class: 'num nowrap'}, item.amount_due.formatted),
      h('td', {'data-label': 'Email'}, emailWords(item.email_status)),
      h('td', {'data-label': 'Address', class: 'addr'}, item.email_to || '—'),
      h('td', {'data-label': 'Reason', class: 'why'}, item.reason || ''),
    );
  }

  function draw(report) {
    if (!report.available) {
      fill(summary, notice('info', h('p', {}, 'This Publish All ran before delivery reports existed: there is no report for it.')));
      fill(results);
      return;
    }
    const c = report.counts;
    fill(
      summary,
      h(
        'p',
        {class: 'lead', id: 'delivery-lead'},
        `${c.invoices} invoices published: ${c.sent} emailed and sent, ${c.failed} failed, ${c.bounced} bounced, `,
        `${c.no_address} with no email address.`,
      ),
      deliveryCounts(c, 'page', 'counts-page'),
      c.failed + c.bounced + c.no_address
        ? notice(
            'warning',
            h('p', {}, 'Residents whose email failed or bounced, and those without an address, did not get the invoice by email. '),
            h('p', {}, 'Their invoices are in their portal; notify them another way, or correct the address on the resident’s profile and resend.'),
          )
        : null,
    );
    const pager = h(
      'div',
      {class: 'page-actions load-more'},
      state.page > 0 ? h('button', {type: 'button', class: 'button button-secondary', id: 'delivery-previous', onClick: () => go(state.page - 1)}, 'Previous page') : null,
      report.next_cursor
        ? h('button', {type: 'button', class: 'button button-secondary', id: 'delivery-next', onClick: () => {
            state.cursors[state.page + 1] = report.next_cursor;
            go(state.page + 1);
          }}, 'Next page')
        : null,
      h('span', {class: 'muted', id: 'delivery-page'}, `Page ${state.page + 1}`),
    );
    if (!report.items.length) {
      fill(results, h('p', {class: 'empty', id: 'no-deliveries'}, state.email ? `None: ${FILTERS.find(([v]) => v === state.email)[1].toLowerCase()}.` : 'No invoices yet.'), pager);
      return;
    }
    fill(
      results,
      h(
        'table',
        {class: 'table deliveries', id: 'delivery-table'},
        h('caption', {class: 'visually-hidden'}, 'Deliveries, by invoice number'),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Invoice', 'Resident', 'Unit', 'Amount', 'Email', 'Address', 'Reason'].map((t) =>
              h('th', {scope: 'col', class: t === 'Amount' ? 'num' : null}, t),
            ),
          ),
        ),
        h('tbody', {}, report.items.map(row)),
      ),
      pager,
    );
  }

  let loads = 0;
  async function go(page) {
    const mine = ++loads;
    state.page = page;
    fill(results, loading('Loading deliveries…'));
    try {
      const report = await api.get(deliveriesPath(params.pid, params.jid), {
        email: state.email,
        limit: PAGE,
        cursor: state.cursors[page],
      });
      if (!view.isCurrent() || mine !== loads) return;
      draw(report);
    } catch (error) {
      if (view.isCurrent() && mine === loads) {
        fill(summary);
        fill(results, errorPanel(error, () => go(page)));
      }
    }
  }

  // Which Publish All this is, as a person knows it: when, and who started it.
  async function describeJob() {
    try {
      const [job, property] = await Promise.all([
        api.get(path`/properties/${params.pid}/publish-jobs/${params.jid}`),
        view.property().catch(() => null),
      ]);
      if (!view.isCurrent()) return;
      main.querySelector('#delivery-job').textContent =
        `Publish All started ${formatDateTime(job.started_at, property?.time_zone)} by ${actorWords(job.actor)}`;
    } catch {
      // The report itself says whether the job exists.
    }
  }

  select.addEventListener('change', () => {
    state.email = select.value;
    state.cursors = [null];
    history.replaceState(null, '', location.pathname + (state.email ? `?email=${encodeURIComponent(state.email)}` : ''));
    go(0);
  });
  await Promise.all([go(0), describeJob()]);
}
