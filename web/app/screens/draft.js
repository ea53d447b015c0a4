// Create a draft (resident, line items, due date, memo) or edit one (PATCH with the
// version it was read at) when the API offers `edit`. When someone else changed the draft
// meanwhile (409 version_conflict), the form says what they changed and keeps the
// manager's changes: save them over theirs, or load theirs.

import {newIdempotencyKey, path} from '../api.js';
import {field, h, fill} from '../dom.js';
import {button} from '../dialog.js';
import {currencyDigits, formatDate, formatMinor, minorToInput, parseAmount, problemWords, todayIn} from '../format.js';
import {errorPanel, loading, notice, pageHeader} from '../layout.js';
import {navigate} from '../router.js';
import {toast} from '../toast.js';

async function allResidents(api, base) {
  const found = [];
  let cursor = null;
  do {
    const page = await api.get(`${base}/residents`, {limit: 100, cursor});
    found.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && found.length < 2000);
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

const FIELD_WORDS = {resident_id: 'Resident', due_date: 'Due date', memo: 'Memo', currency: 'Currency', line_items: 'Line items'};

/** "line_items.0.amount" -> "Line 1, amount": the API's field path in the form's words. */
function fieldWords(name) {
  const line = /^line_items\.(\d+)\.(\w+)$/.exec(String(name));
  if (line) return `Line ${Number(line[1]) + 1}, ${line[2]}`;
  return FIELD_WORDS[name] || String(name).replace(/_/g, ' ');
}

function lineWords(line) {
  return `${line.description}, ${line.amount.formatted}`;
}

/** What changed between two versions of a draft, as a manager reads it. */
export function whatChanged(before, after) {
  const out = [];
  const count = Math.max(before.line_items.length, after.line_items.length);
  for (let i = 0; i < count; i += 1) {
    const was = before.line_items[i];
    const now = after.line_items[i];
    if (!was) out.push(`Line ${i + 1} added: ${lineWords(now)}`);
    else if (!now) out.push(`Line ${i + 1} removed: ${lineWords(was)}`);
    else if (was.description !== now.description || was.amount.amount !== now.amount.amount) {
      out.push(`Line ${i + 1}: ${lineWords(was)} → ${lineWords(now)}`);
    }
  }
  if (before.amount_due.amount !== after.amount_due.amount) {
    out.push(`Total: ${before.amount_due.formatted} → ${after.amount_due.formatted}`);
  }
  if (before.due_date !== after.due_date) out.push(`Due date: ${formatDate(before.due_date)} → ${formatDate(after.due_date)}`);
  if ((before.memo || '') !== (after.memo || '')) {
    if (!after.memo) out.push(`Memo removed (it was “${before.memo}”)`);
    else if (!before.memo) out.push(`Memo added: “${after.memo}”`);
    else out.push(`Memo: “${before.memo}” → “${after.memo}”`);
  }
  return out;
}

export async function draftFormView(view) {
  const {main, api, params} = view;
  const base = path`/properties/${params.pid}`;
  const editing = Boolean(params.iid);
  const invoiceUrl = editing ? `${base}/invoices/${encodeURIComponent(params.iid)}` : null;
  const title = editing ? 'Edit draft' : 'New invoice';
  fill(main, pageHeader(title), loading());
  const [property, residents, detail, summary] = await Promise.all([
    view.property(),
    editing ? Promise.resolve([]) : allResidents(api, base),
    editing ? api.get(invoiceUrl) : Promise.resolve(null),
    api.get(`${base}/invoices/summary`),
  ]);
  if (!view.isCurrent()) return;
  const currency = property.currency || detail?.invoice.amount_due.currency || summary.drafts.total.currency || 'USD';
  const invoice = detail?.invoice;
  let seen = invoice; // the version this form's changes are made against
  if (editing && !(detail.actions || []).includes('edit')) {
    fill(
      main,
      pageHeader(title),
      notice('info', h('p', {}, `Invoice ${invoice.number} cannot be edited now (it is ${invoice.status}).`)),
      h('p', {}, h('a', {href: invoiceUrl}, `Back to ${invoice.number}`)),
    );
    return;
  }

  const residentSelect = h(
    'select',
    {id: 'resident', required: true},
    h('option', {value: ''}, 'Choose a resident'),
    residents.map((r) =>
      h('option', {value: r.resident_id}, `${r.name} · unit ${r.unit}${{missing: ' · no email', bouncing: ' · email bouncing'}[r.email_state] || ''}`),
    ),
  );
  const residentField = editing
    ? h('p', {class: 'fact-inline'}, h('strong', {}, 'Resident: '), invoice.resident_name)
    : field({label: 'Resident', control: residentSelect});
  const due = h('input', {
    id: 'due-date',
    type: 'date',
    required: true,
    min: todayIn(property.time_zone),
    value: invoice?.due_date || todayIn(property.time_zone, 30),
  });
  const dueField = field({label: 'Due date', control: due});
  const memo = h('textarea', {id: 'memo', rows: '2', maxlength: '500'});
  memo.value = invoice?.memo || '';
  const memoField = field({label: 'Memo (optional)', control: memo, hint: 'Shown to the resident on the invoice.'});

  const lines = h('div', {class: 'line-items'});
  const total = h('p', {class: 'total', 'aria-live': 'polite'});
  let lineCount = 0;
  function addLine(description = '', amount = '') {
    lineCount += 1;
    const n = lineCount;
    const text = h('input', {id: `line-${n}-description`, type: 'text', maxlength: '200', value: description});
    const money = h('input', {
      id: `line-${n}-amount`,
      type: 'text',
      inputmode: currencyDigits(currency) ? 'decimal' : 'numeric',
      value: amount,
      autocomplete: 'off',
    });
    const remove = h(
      'button',
      {type: 'button', class: 'button button-link', 'aria-label': `Remove line ${n}`},
      'Remove',
    );
    const line = h(
      'fieldset',
      {class: 'line'},
      h('legend', {class: 'visually-hidden'}, `Line ${n}`),
      field({label: 'Description', control: text}),
      field({label: `Amount (${currency})`, control: money}),
      remove,
    );
    remove.addEventListener('click', () => {
      if (lines.children.length > 1) {
        line.remove();
        updateTotal();
        lines.querySelector('input')?.focus();
      }
    });
    money.addEventListener('input', updateTotal);
    lines.append(line);
    return text;
  }
  function readLines() {
    return Array.from(lines.querySelectorAll('fieldset.line')).map((line) => {
      const [text, money] = line.querySelectorAll('input');
      return {line, text, money, description: text.value.trim(), amount: parseAmount(money.value, currency)};
    });
  }
  function updateTotal() {
    const sum = readLines().reduce((acc, l) => acc + (l.amount || 0), 0);
    total.textContent = `Total: ${formatMinor(sum, currency)}`;
  }
  /** The form shows a version of the draft (the one opened, or theirs after a conflict). */
  function showVersion(version) {
    lines.replaceChildren();
    version.line_items.forEach((li) => addLine(li.description, minorToInput(li.amount.amount, currency)));
    due.value = version.due_date;
    memo.value = version.memo || '';
    updateTotal();
  }
  if (invoice) showVersion(invoice);
  else {
    addLine('Monthly assessment', '');
    updateTotal();
  }

  const status = h('div', {'aria-live': 'polite'});
  const save = button(editing ? 'Save draft' : 'Create draft', {kind: 'primary', type: 'submit', id: 'save-draft'});
  let key = {body: null, value: null};
  const form = h(
    'form',
    {class: 'card form', novalidate: true},
    residentField,
    h(
      'fieldset',
      {class: 'group'},
      h('legend', {}, 'Line items'),
      lines,
      button('Add line', {onClick: () => addLine().focus()}),
      total,
    ),
    dueField,
    memoField,
    status,
    h('div', {class: 'form-actions'}, h('a', {class: 'button button-secondary', href: invoiceUrl || `${base}/invoices`}, 'Cancel'), save),
  );

  function check() {
    let first = null;
    const fail = (wrapper, control, message) => {
      wrapper.setError(message);
      first = first || control;
    };
    if (!editing) {
      residentField.setError('');
      if (!residentSelect.value) fail(residentField, residentSelect, 'Choose who the invoice is for.');
    }
    for (const l of readLines()) {
      const [textWrap, moneyWrap] = l.line.querySelectorAll('.field');
      textWrap.setError('');
      moneyWrap.setError('');
      if (!l.description) fail(textWrap, l.text, 'Describe the charge.');
      if (l.amount === null) fail(moneyWrap, l.money, `Enter an amount greater than zero, like ${minorToInput(32500, currency)}.`);
    }
    dueField.setError('');
    if (!due.value) fail(dueField, due, 'Choose a due date.');
    if (first) first.focus();
    return !first;
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    status.replaceChildren();
    if (!check()) return;
    const body = {
      line_items: readLines().map((l) => ({description: l.description, amount: l.amount})),
      due_date: due.value,
    };
    const memoText = memo.value.trim();
    if (editing) {
      body.memo = memoText || null;
      body.version = seen.version;
    } else {
      Object.assign(body, {resident_id: residentSelect.value, currency});
      if (memoText) body.memo = memoText;
    }
    const sent = JSON.stringify(body);
    if (key.body !== sent) key = {body: sent, value: newIdempotencyKey()}; // a retry of this exact request is the same
    save.disabled = true;
    try {
      let target;
      if (editing) {
        await api.patch(invoiceUrl, body, {idempotencyKey: key.value});
        target = invoiceUrl;
        toast(`Draft ${invoice.number} is saved.`);
      } else {
        const {data} = await api.post(`${base}/invoices`, body, {idempotencyKey: key.value});
        target = `${base}/invoices/${encodeURIComponent(data.invoice_id)}`;
        toast(`Draft ${data.number} is created.`);
      }
      navigate(target);
    } catch (error) {
      save.disabled = false;
      if (error.code === 'version_conflict') await conflict();
      else if (error.code === 'invoice_not_draft') notDraft(error.details.status);
      else if (error.code === 'validation_failed' && error.details.fields?.length) {
        status.replaceChildren(
          notice(
            'error',
            h('p', {}, 'Some fields need a change:'),
            h('ul', {}, error.details.fields.map((f) => h('li', {}, `${fieldWords(f.field)}: ${problemWords(f.message)}`))),
          ),
        );
      } else if (error.details?.field === 'due_date') {
        dueField.setError(problemWords(error.message));
        due.focus();
      } else {
        status.replaceChildren(errorPanel(error));
      }
    }
  });

  function notDraft(now) {
    status.replaceChildren(
      notice(
        'warning',
        h('p', {id: 'not-draft'}, `Invoice ${invoice.number} is ${now || 'no longer a draft'} now: someone published or changed it, so it can no longer be edited. Your changes are not saved.`),
        h('p', {}, h('a', {href: invoiceUrl}, `Open ${invoice.number}`)),
      ),
    );
    status.querySelector('a')?.focus();
  }

  /** Someone saved the draft since this form read it: say what they changed, keep ours. */
  async function conflict() {
    let current;
    try {
      current = (await api.get(invoiceUrl)).invoice;
    } catch (error) {
      status.replaceChildren(errorPanel(error));
      return;
    }
    if (!view.isCurrent()) return;
    if (current.status !== 'Draft') {
      notDraft(current.status);
      return;
    }
    const changes = whatChanged(seen, current);
    const theirs = current;
    const keep = button('Save my changes over theirs', {id: 'save-over-theirs'});
    const load = button('Load their version', {id: 'load-theirs'});
    keep.addEventListener('click', () => {
      seen = theirs;
      form.requestSubmit();
    });
    load.addEventListener('click', () => {
      seen = theirs;
      showVersion(theirs);
      status.replaceChildren(notice('info', h('p', {id: 'theirs-loaded'}, 'Their version is in the form. Make your change again, then save.')));
      lines.querySelector('input')?.focus();
    });
    status.replaceChildren(
      notice(
        'warning',
        h('p', {id: 'version-conflict'}, h('strong', {}, `Someone else saved draft ${current.number} while you were editing it.`), ' Nothing of yours is saved yet.'),
        changes.length
          ? [h('p', {}, 'What they changed:'), h('ul', {id: 'conflict-changes'}, changes.map((c) => h('li', {}, c)))]
          : h('p', {id: 'conflict-changes'}, 'Its lines, due date and memo are as you opened them.'),
        h('p', {}, 'Your changes are still in the form.'),
        h('div', {class: 'notice-actions'}, keep, load),
      ),
    );
    status.querySelector('#version-conflict')?.setAttribute('tabindex', '-1');
    status.querySelector('#version-conflict')?.focus();
  }

  fill(
    main,
    h('p', {}, h('a', {href: invoiceUrl || `${base}/invoices`, class: 'back'}, editing ? `← ${invoice.number}` : '← Invoices')),
    pageHeader(editing ? `Edit draft ${invoice.number}` : title),
    form,
  );
}
