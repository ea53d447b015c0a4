// The resident portal: My account (what I owe, what is next, my invoices) and an
// invoice page with Pay Now. The API never returns a Draft here.

import {newIdempotencyKey, path} from '../api.js';
import {h, fill} from '../dom.js';
import {formatDate, formatDateTime, formatMinor, paymentWords, statusBadge} from '../format.js';
import {errorPanel, loading, notice, pageHeader} from '../layout.js';
import {navigate} from '../router.js';

const UNPAID = new Set(['Open', 'Overdue']);
const RECHECK_MS = 1500;
const RECHECKS = 20;

async function allInvoices(api) {
  const found = [];
  let cursor = null;
  do {
    const page = await api.get('/portal/invoices', {limit: 100, cursor});
    found.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && found.length < 1000);
  return found;
}

export async function portalView(view) {
  const {main, api} = view;
  fill(main, pageHeader('My account'), loading('Loading your invoices…'));
  const invoices = await allInvoices(api);
  if (!view.isCurrent()) return;
  const unpaid = invoices.filter((i) => UNPAID.has(i.status) && i.balance.amount > 0);
  const owed = new Map();
  for (const i of unpaid) owed.set(i.balance.currency, (owed.get(i.balance.currency) || 0) + i.balance.amount);
  const next = [...unpaid].sort((a, b) => a.due_date.localeCompare(b.due_date))[0];

  const balance = owed.size
    ? h('p', {class: 'big', id: 'balance-owed'}, [...owed].map(([currency, amount]) => formatMinor(amount, currency)).join(' + '))
    : h('p', {class: 'big', id: 'balance-owed'}, formatMinor(0, invoices[0]?.balance.currency || 'USD'), ' ', h('span', {class: 'badge status-paid', id: 'paid-up'}, 'Paid up'));
  const nextDue = next
    ? h(
        'p',
        {id: 'next-due'},
        h('a', {href: path`/portal/invoices/${next.invoice_id}`}, `Invoice ${next.number}`),
        ` · ${next.balance.formatted} due ${formatDate(next.due_date)}`,
        next.status === 'Overdue' ? h('span', {class: 'badge status-overdue'}, 'Overdue') : null,
      )
    : h('p', {id: 'next-due', class: 'muted'}, 'Nothing is due.');

  const table = invoices.length
    ? h(
        'table',
        {class: 'table'},
        h('caption', {class: 'visually-hidden'}, 'Your invoices'),
        h('thead', {}, h('tr', {}, ['Invoice', 'Property', 'Due date', 'Amount', 'Balance', 'Status'].map((t) => h('th', {scope: 'col', class: ['Amount', 'Balance'].includes(t) ? 'num' : null}, t)))),
        h(
          'tbody',
          {},
          invoices.map((i) => {
            const href = path`/portal/invoices/${i.invoice_id}`;
            const tr = h(
              'tr',
              {class: 'clickable'},
              h('td', {'data-label': 'Invoice'}, h('a', {href}, i.number)),
              h('td', {'data-label': 'Property'}, i.property_name),
              h('td', {'data-label': 'Due'}, formatDate(i.due_date)),
              h('td', {'data-label': 'Amount', class: 'num'}, i.amount_due.formatted),
              h('td', {'data-label': 'Balance', class: 'num'}, i.balance.formatted),
              h('td', {'data-label': 'Status'}, statusBadge(i.status)),
            );
            tr.addEventListener('click', (event) => {
              if (!event.target.closest('a')) navigate(href);
            });
            return tr;
          }),
        ),
      )
    : h(
        'div',
        {class: 'empty', id: 'no-invoices'},
        h('p', {}, 'You have no invoices yet.'),
        h('p', {class: 'muted'}, 'Invoices appear here as soon as your property publishes them, whether or not an email reached you.'),
      );

  fill(
    main,
    pageHeader('My account'),
    h(
      'div',
      {class: 'account-cards'},
      h('section', {class: 'card', 'aria-labelledby': 'owed-heading'}, h('h2', {id: 'owed-heading'}, 'Balance owed'), balance),
      h('section', {class: 'card', 'aria-labelledby': 'next-heading'}, h('h2', {id: 'next-heading'}, 'Next invoice due'), nextDue),
    ),
    h('section', {'aria-labelledby': 'history-heading'}, h('h2', {id: 'history-heading'}, 'Invoice history'), table),
  );
}

function lastPayment(invoice) {
  const payments = [...(invoice.payments || [])].sort((a, b) => a.updated_at.localeCompare(b.updated_at));
  return payments[payments.length - 1] || null;
}

/** What to say after Stripe sent the resident back, from the invoice as the API has it now. */
function checkoutNotice(outcome, invoice) {
  const last = lastPayment(invoice);
  const declined = last && (last.state === 'attempt_failed' || last.state === 'failed');
  if (outcome === 'cancelled') {
    if (declined) return {kind: 'error', text: `Your payment did not go through: ${last.failure_message || 'it was declined'}. Nothing was charged.`};
    return {kind: 'info', text: 'Payment cancelled. Nothing was charged.'};
  }
  if (invoice.status === 'Paid') return {kind: 'success', text: 'Payment received. This invoice is paid. Thank you!'};
  if (invoice.amount_processing.amount > 0) {
    return {
      kind: 'info',
      text: `Your bank payment of ${invoice.amount_processing.formatted} is processing. Bank transfers take a few business days; this invoice shows Paid when the money arrives.`,
    };
  }
  if (declined) return {kind: 'error', text: `Your payment did not go through: ${last.failure_message || 'it failed'}. You can try again.`};
  if (last && last.state === 'succeeded') return {kind: 'success', text: `Payment received. ${invoice.balance.formatted} is left to pay.`};
  return {kind: 'pending', text: 'We have not heard back from the payment provider yet. This page checks again for a little while.'};
}

export async function portalInvoiceView(view) {
  const {main, api, params, query, config} = view;
  const url = path`/portal/invoices/${params.iid}`;
  const outcome = query.get('checkout');
  fill(main, h('p', {}, h('a', {href: '/portal', class: 'back'}, '← My account')), loading('Loading the invoice…'));
  let invoice;
  try {
    invoice = await api.get(url);
  } catch (error) {
    if (error.status !== 404) throw error;
    fill(
      main,
      h('h1', {tabindex: '-1'}, 'Invoice not found'),
      h('p', {}, 'This invoice is not in your account. If a link brought you here, it may be meant for someone else.'),
      h('p', {}, h('a', {href: '/portal'}, 'See your invoices')),
    );
    return;
  }
  let rechecks = 0;
  let timer = null;
  view.onLeave(() => clearTimeout(timer));

  function draw() {
    const status = h('div', {'aria-live': 'polite'});
    const canPay = (invoice.actions || []).includes('pay');
    const pay = canPay
      ? h('button', {type: 'button', class: 'button button-primary button-large', id: 'pay-now'}, `Pay Now · ${invoice.payable_now.formatted}`)
      : null;
    pay?.addEventListener('click', async () => {
      pay.disabled = true;
      pay.textContent = 'Opening checkout…';
      try {
        const {data} = await api.post(`${url}/checkout`, {}, {idempotencyKey: newIdempotencyKey()});
        location.assign(data.checkout_url);
      } catch (error) {
        pay.disabled = false;
        pay.textContent = `Pay Now · ${invoice.payable_now.formatted}`;
        status.replaceChildren(error.code === 'invoice_not_payable' ? notice('info', h('p', {}, error.message)) : errorPanel(error));
      }
    });
    const said = outcome ? checkoutNotice(outcome, invoice) : null;
    const banner = said
      ? notice(said.kind === 'pending' ? 'info' : said.kind, h('p', {id: 'checkout-result'}, said.text))
      : null;
    const local = config.local?.checkout_url && invoice.amount_processing.amount > 0
      ? notice(
          'dev',
          h('p', {}, 'Local runtime: the test bank has not answered yet. '),
          h('a', {href: `${config.local.checkout_url}?invoice_id=${encodeURIComponent(invoice.invoice_id)}`, 'data-external': '', id: 'settle-link'}, 'Open the test checkout to settle the bank transfer'),
        )
      : null;
    const facts = h(
      'dl',
      {class: 'facts'},
      h('div', {class: 'fact'}, h('dt', {}, 'Invoice amount'), h('dd', {}, invoice.amount_due.formatted)),
      h('div', {class: 'fact'}, h('dt', {}, 'Amount paid'), h('dd', {class: invoice.amount_paid.amount ? 'paid' : null, id: 'amount-paid'}, invoice.amount_paid.formatted)),
      invoice.amount_processing.amount
        ? h('div', {class: 'fact'}, h('dt', {}, 'Processing'), h('dd', {id: 'amount-processing'}, invoice.amount_processing.formatted))
        : null,
      h('div', {class: 'fact'}, h('dt', {}, 'Balance due'), h('dd', {id: 'balance-due'}, h('strong', {}, invoice.balance.formatted))),
      h('div', {class: 'fact'}, h('dt', {}, 'Due date'), h('dd', {}, formatDate(invoice.due_date))),
    );
    const lines = h(
      'table',
      {class: 'table compact lines'},
      h('caption', {}, 'What this invoice is for'),
      h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Description'), h('th', {scope: 'col', class: 'num'}, 'Amount'))),
      h('tbody', {}, invoice.line_items.map((li) => h('tr', {}, h('td', {'data-label': 'Description'}, li.description), h('td', {class: 'num', 'data-label': 'Amount'}, li.amount.formatted)))),
      h('tfoot', {}, h('tr', {}, h('th', {scope: 'row'}, 'Total'), h('td', {class: 'num'}, invoice.amount_due.formatted))),
    );
    const payments = invoice.payments.length
      ? h(
          'table',
          {class: 'table compact', id: 'payment-history'},
          h('caption', {}, 'Payment history'),
          h('thead', {}, h('tr', {}, ['Date', 'Amount', 'Status'].map((t) => h('th', {scope: 'col'}, t)))),
          h(
            'tbody',
            {},
            invoice.payments.map((p) =>
              h(
                'tr',
                {},
                h('td', {'data-label': 'Date'}, formatDateTime(p.updated_at)),
                h('td', {'data-label': 'Amount'}, p.amount.formatted),
                h('td', {'data-label': 'Status'}, paymentWords(p.state), p.failure_message ? ` — ${p.failure_message}` : ''),
              ),
            ),
          ),
        )
      : h('p', {class: 'muted'}, 'No payments yet.');
    fill(
      main,
      h('p', {}, h('a', {href: '/portal', class: 'back'}, '← My account')),
      h('div', {class: 'page-header'}, h('h1', {tabindex: '-1'}, `Invoice ${invoice.number} `, statusBadge(invoice.status)), pay ? h('div', {class: 'page-actions'}, pay) : null),
      h('p', {class: 'muted'}, invoice.property_name),
      banner,
      local,
      status,
      h('section', {class: 'card', 'aria-label': 'Amounts'}, facts, invoice.memo ? h('p', {class: 'memo'}, invoice.memo) : null),
      h('section', {class: 'card'}, lines),
      h('section', {class: 'card'}, payments),
      canPay ? h('p', {class: 'muted'}, 'Pay by card or by bank transfer (ACH). A bank transfer takes a few business days to arrive.') : null,
    );
    if (said?.kind === 'pending' && rechecks < RECHECKS) {
      timer = setTimeout(async () => {
        rechecks += 1;
        try {
          invoice = await api.get(url);
          if (view.isCurrent()) draw();
        } catch {
          if (view.isCurrent()) draw();
        }
      }, RECHECK_MS);
    }
  }
  draw();
}
