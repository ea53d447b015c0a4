// The invoice detail page: header with number and status, the ⋮ menu (only what the
// API's `actions` says is possible; greyed with the reason when `unavailable_actions`
// says why), the amounts, line items, payments and history, and the Publish, Void and
// Delete dialogs.

import {newIdempotencyKey, path} from '../api.js';
import {field, h, fill} from '../dom.js';
import {button, openDialog} from '../dialog.js';
import {
  actorWords,
  emailWords,
  formatDate,
  formatDateTime,
  formatMinor,
  historyWords,
  paymentWords,
  reasonWords,
  statusBadge,
} from '../format.js';
import {errorPanel, loading, notice} from '../layout.js';
import {letterButton} from '../letters.js';
import {actionMenu} from '../menu.js';
import {navigate} from '../router.js';
import {toast} from '../toast.js';

// The email could not reach the resident: a printed letter is the other way.
const LETTER_WHEN = {
  skipped_no_address: 'This resident has no email address we can use.',
  failed: 'The email could not be sent.',
  bounced: 'The email bounced.',
};

const ORDER = ['publish', 'edit', 'resend_email', 'void', 'delete'];
const LABELS = {
  publish: 'Publish',
  edit: 'Edit draft',
  resend_email: 'Resend email',
  void: 'Void',
  delete: 'Delete draft',
};

function row(label, value, extra = {}) {
  return h('div', {class: 'fact', ...extra}, h('dt', {}, label), h('dd', {}, value));
}

export async function invoiceView(view) {
  const {main, api, params} = view;
  const base = path`/properties/${params.pid}`;
  const url = `${base}/invoices/${encodeURIComponent(params.iid)}`;
  fill(main, h('p', {}, h('a', {href: `${base}/invoices`, class: 'back'}, '← Invoices')), loading('Loading the invoice…'));
  const [detail, property] = await Promise.all([api.get(url), view.property()]);
  if (!view.isCurrent()) return;
  const zone = property.time_zone;

  async function reload(focusHeading = false) {
    try {
      const fresh = await api.get(url);
      if (!view.isCurrent()) return;
      draw(fresh);
      if (focusHeading) main.querySelector('h1')?.focus();
    } catch (error) {
      if (view.isCurrent()) main.prepend(errorPanel(error, () => reload()));
    }
  }

  function menuFor(detail) {
    const available = new Set(detail.actions || []);
    const unavailable = new Map((detail.unavailable_actions || []).map((u) => [u.action, u]));
    const run = {
      publish: () => openPublish(detail),
      edit: () => navigate(`${url}/edit`),
      resend_email: () => resend(detail),
      void: () => openVoid(detail),
      delete: () => openDelete(detail),
    };
    const items = [];
    for (const name of ORDER) {
      if (available.has(name)) {
        items.push({label: LABELS[name], onSelect: run[name], danger: name === 'void' || name === 'delete'});
      }
    }
    for (const name of ORDER) {
      if (!available.has(name) && unavailable.has(name)) {
        const why = unavailable.get(name);
        items.push({label: LABELS[name], disabled: true, reason: reasonWords(why.reason, why.message)});
      }
    }
    return actionMenu({label: 'Invoice actions', items});
  }

  function draw(detail) {
    const invoice = detail.invoice;
    const banners = [];
    if (invoice.needs_attention) {
      banners.push(notice('warning', h('p', {}, 'A payment on this invoice needs a person: see the history below.')));
    }
    if (invoice.status === 'Void') {
      banners.push(notice('info', h('p', {}, `Voided ${formatDateTime(invoice.voided_at, zone)}: ${invoice.void_reason || ''}`)));
    }
    if (invoice.status === 'Paid') {
      banners.push(notice('success', h('p', {}, `Paid in full ${formatDateTime(invoice.paid_at, zone)}.`)));
    }
    const facts = h(
      'dl',
      {class: 'facts'},
      row('Resident', h('a', {href: `${base}/residents/${encodeURIComponent(invoice.resident_id)}`, id: 'resident-link'}, invoice.resident_name)),
      row('Amount due', invoice.amount_due.formatted),
      row('Amount paid', h('span', {class: invoice.amount_paid.amount ? 'paid' : null}, invoice.amount_paid.formatted)),
      invoice.amount_processing.amount ? row('Processing', invoice.amount_processing.formatted) : null,
      row('Balance', h('strong', {}, invoice.balance.formatted)),
      row('Due date', formatDate(invoice.due_date)),
      row('Email', invoice.status === 'Draft' ? 'Sent when published' : emailWords(invoice.email.status), {id: 'email-state'}),
      invoice.published_at ? row('Published', formatDateTime(invoice.published_at, zone)) : null,
    );
    const lines = h(
      'table',
      {class: 'table compact lines'},
      h('caption', {}, 'Line items'),
      h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Description'), h('th', {scope: 'col', class: 'num'}, 'Amount'))),
      h(
        'tbody',
        {},
        invoice.line_items.map((item) =>
          h('tr', {}, h('td', {'data-label': 'Description'}, item.description), h('td', {class: 'num', 'data-label': 'Amount'}, item.amount.formatted)),
        ),
      ),
      h('tfoot', {}, h('tr', {}, h('th', {scope: 'row'}, 'Total'), h('td', {class: 'num'}, invoice.amount_due.formatted))),
    );
    const failures = (invoice.payments || []).some((p) => p.failure_message);
    const payments = invoice.payments?.length
      ? h(
          'table',
          {class: 'table compact payments', id: 'payments'},
          h('caption', {}, 'Payments'),
          h(
            'thead',
            {},
            h('tr', {}, ['Date', 'Amount', 'State', failures ? 'Why it failed' : null].filter(Boolean).map((t) => h('th', {scope: 'col', class: t === 'Amount' ? 'num' : null}, t))),
          ),
          h(
            'tbody',
            {},
            invoice.payments.map((p) =>
              h(
                'tr',
                {class: `payment-${p.state}`},
                h('td', {'data-label': 'Date'}, formatDateTime(p.updated_at, zone)),
                h('td', {'data-label': 'Amount', class: 'num'}, p.amount.formatted),
                h('td', {'data-label': 'State'}, h('span', {class: `badge payment-badge payment-${p.state}`}, paymentWords(p.state))),
                failures ? h('td', {'data-label': 'Why it failed'}, p.failure_message || '—') : null,
              ),
            ),
          ),
        )
      : invoice.status === 'Draft'
        ? null
        : h('p', {class: 'muted', id: 'no-payments'}, 'No payments yet.');
    const history = h(
      'ol',
      {class: 'timeline'},
      [...detail.history].reverse().map((entry) =>
        h(
          'li',
          {},
          h('span', {class: 'timeline-when'}, formatDateTime(entry.at, zone)),
          h('span', {class: 'timeline-what'}, historyWords(entry.action)),
          entry.details?.amount && entry.action.startsWith('payment')
            ? h('span', {class: 'timeline-who'}, formatMinor(entry.details.amount, invoice.amount_due.currency))
            : null,
          entry.actor ? h('span', {class: 'timeline-who'}, actorWords(entry.actor)) : null,
          entry.reason ? h('span', {class: 'timeline-why'}, entry.reason) : null,
        ),
      ),
    );
    fill(
      main,
      h('p', {}, h('a', {href: `${base}/invoices`, class: 'back'}, '← Invoices')),
      h(
        'div',
        {class: 'page-header'},
        h('h1', {tabindex: '-1'}, `Invoice ${invoice.number} `, statusBadge(invoice.status)),
        h('div', {class: 'page-actions'}, menuFor(detail)),
      ),
      banners,
      h('section', {class: 'card', 'aria-label': 'Summary'}, facts, invoice.memo ? h('p', {class: 'memo'}, invoice.memo) : null),
      h('section', {class: 'card'}, lines),
      letterCard(invoice),
      payments ? h('section', {class: 'card', 'aria-label': 'Payments'}, payments) : null,
      h('section', {class: 'card', 'aria-labelledby': 'history-heading'}, h('h2', {id: 'history-heading'}, 'History'), history),
    );
  }

  function letterCard(invoice) {
    const why = LETTER_WHEN[invoice.email?.status];
    if (!why || !['Open', 'Overdue'].includes(invoice.status)) return null;
    return h(
      'section',
      {class: 'card letter-card', 'aria-labelledby': 'letter-heading'},
      h('h2', {id: 'letter-heading'}, 'Notify by letter'),
      h('p', {}, `${why} Print this invoice as a one-page letter with a QR code to its pay page, and mail or hand it to ${invoice.resident_name}.`),
      letterButton(api, `${url}/letter`, {
        id: 'print-letter',
        label: 'Print letter',
        waiting: 'Printing the letter…',
        ready: () => 'Open letter (PDF)',
      }),
    );
  }

  // -- Publish ------------------------------------------------------------------------

  function openPublish(detail) {
    const preview = detail.publish_preview;
    const dialog = openDialog({title: 'Publish invoice'});
    const checkbox = preview.email_checkbox;
    const box = h('input', {
      type: 'checkbox',
      id: 'send-email',
      checked: checkbox.checked_by_default,
      disabled: !checkbox.enabled,
    });
    const profile = h('a', {href: `${base}/residents/${encodeURIComponent(detail.invoice.resident_id)}`}, 'their profile');
    let reason = null;
    if (checkbox.disabled_reason === 'address_bouncing') {
      reason = [
        `Emails to ${preview.resident_name}’s address bounce, so none can be sent. Correct the address on `,
        profile,
        ', or notify them another way.',
      ];
    } else if (!checkbox.enabled) {
      reason = [`${preview.resident_name} has no email address on file. Add one on `, profile, ', or notify them another way.'];
    }
    const reasonEl = reason ? h('p', {class: 'field-hint checkbox-reason', id: 'send-email-reason'}, reason) : null;
    if (reasonEl) box.setAttribute('aria-describedby', 'send-email-reason');
    const status = h('div', {'aria-live': 'polite'});
    const go = button('Publish Invoice', {kind: 'primary', id: 'confirm-publish'});
    const key = newIdempotencyKey();
    dialog.setContent(
      [
        h(
          'dl',
          {class: 'facts tight', id: 'publish-summary'},
          row('Invoice', preview.number),
          row('Amount', preview.amount.formatted),
          row('Resident', preview.resident_name),
          row('Email to', preview.recipient_email || (checkbox.disabled_reason === 'address_bouncing' ? 'Address bouncing' : 'No address on file'), {id: 'publish-recipient'}),
        ),
        h(
          'div',
          {class: `checkbox${checkbox.enabled ? '' : ' disabled'}`},
          box,
          h('label', {for: 'send-email'}, 'Send email notification'),
        ),
        reasonEl,
        status,
      ],
      [button('Cancel', {onClick: () => dialog.close(null)}), go],
    );
    go.addEventListener('click', async () => {
      go.disabled = true;
      go.textContent = 'Publishing…';
      dialog.busy = true;
      try {
        const {data} = await api.post(`${url}/publish`, {send_email: checkbox.enabled && box.checked}, {idempotencyKey: key});
        dialog.busy = false;
        dialog.close(true);
        const emailed = data.email?.status === 'queued' ? ' The email is on its way.' : '';
        toast(`Invoice ${data.number} is published: it is now ${data.status}.${emailed}`);
        await reload(true);
      } catch (error) {
        dialog.busy = false;
        if (error.code === 'invoice_not_draft') {
          const now = error.details.status || 'no longer a draft';
          dialog.setContent(
            notice('warning', h('p', {id: 'publish-conflict'}, `This invoice is already ${now}: someone else published or changed it.`)),
            [button('Close', {kind: 'primary', onClick: () => dialog.close(false)})],
          );
          dialog.closed.then(() => reload());
        } else if (error.code === 'resident_has_no_email') {
          box.checked = false;
          box.disabled = true;
          status.replaceChildren(notice('warning', h('p', {}, error.message)));
          go.disabled = false;
          go.textContent = 'Publish Invoice';
        } else {
          status.replaceChildren(errorPanel(error));
          go.disabled = false;
          go.textContent = 'Publish Invoice';
        }
      }
    });
  }

  // -- Void ---------------------------------------------------------------------------

  function openVoid(detail) {
    const invoice = detail.invoice;
    const dialog = openDialog({title: `Void invoice ${invoice.number}?`});
    const reasonInput = h('textarea', {id: 'void-reason', rows: '3', maxlength: '500', required: true});
    const reasonField = field({
      label: 'Reason',
      control: reasonInput,
      hint: 'Residents and staff see it in the history. Voiding cannot be undone.',
    });
    const status = h('div', {'aria-live': 'polite'});
    const go = button('Void invoice', {kind: 'danger', id: 'confirm-void'});
    const key = newIdempotencyKey();
    dialog.setContent(
      [
        h('p', {}, `${invoice.resident_name} will no longer be able to pay ${invoice.amount_due.formatted} on this invoice.`),
        reasonField,
        status,
      ],
      [button('Cancel', {onClick: () => dialog.close(null)}), go],
    );
    go.addEventListener('click', async () => {
      const reason = reasonInput.value.trim();
      if (reason.length < 3) {
        reasonField.setError('Give a reason of at least 3 characters.');
        reasonInput.focus();
        return;
      }
      reasonField.setError('');
      go.disabled = true;
      dialog.busy = true;
      try {
        const {data} = await api.post(`${url}/void`, {reason}, {idempotencyKey: key});
        dialog.busy = false;
        dialog.close(true);
        toast(`Invoice ${data.number} is void.`);
        await reload(true);
      } catch (error) {
        dialog.busy = false;
        if (error.code === 'invoice_has_payments' || error.code === 'invoice_not_voidable') {
          dialog.setTitle('This invoice cannot be voided');
          const paid = error.code === 'invoice_not_voidable' && error.details.status === 'Paid';
          dialog.setContent(
            notice(
              'error',
              h('p', {id: 'void-refused'}, error.message),
              paid ? h('p', {}, 'A payment has been made: contact the resident directly to resolve it.') : null,
            ),
            [button('Close', {kind: 'primary', onClick: () => dialog.close(false)})],
          );
          dialog.closed.then(() => reload());
        } else if (error.code === 'validation_failed') {
          reasonField.setError(error.details.fields?.[0]?.message || error.message);
          go.disabled = false;
        } else {
          status.replaceChildren(errorPanel(error));
          go.disabled = false;
        }
      }
    });
  }

  // -- Delete and resend ------------------------------------------------------------------

  function openDelete(detail) {
    const invoice = detail.invoice;
    const dialog = openDialog({title: `Delete draft ${invoice.number}?`});
    const status = h('div', {'aria-live': 'polite'});
    const go = button('Delete draft', {kind: 'danger', id: 'confirm-delete'});
    dialog.setContent(
      [h('p', {}, 'The resident never saw this draft. Deleting it cannot be undone.'), status],
      [button('Cancel', {onClick: () => dialog.close(null)}), go],
    );
    go.addEventListener('click', async () => {
      go.disabled = true;
      dialog.busy = true;
      try {
        await api.del(url);
        dialog.busy = false;
        dialog.close(true);
        toast(`Draft ${invoice.number} is deleted.`);
        navigate(`${base}/invoices`);
      } catch (error) {
        dialog.busy = false;
        status.replaceChildren(errorPanel(error));
        go.disabled = false;
      }
    });
  }

  async function resend(detail) {
    try {
      const {data} = await api.post(`${url}/resend-email`, {}, {idempotencyKey: newIdempotencyKey()});
      toast(`The email for ${data.number} will be sent again.`);
      await reload();
    } catch (error) {
      toast(error.message, 'error');
    }
  }

  draw(detail);
}
