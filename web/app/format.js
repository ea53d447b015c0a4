// Words, dates and amounts as people read them. Amounts from the API are shown with the
// API's own `formatted`; Intl is used only for sums and for amounts still being typed.

import {h} from './dom.js';

export const STATUSES = ['Draft', 'Open', 'Overdue', 'Paid', 'Void'];

export function statusBadge(status) {
  return h('span', {class: `badge status-${String(status).toLowerCase()}`}, status);
}

const EMAIL_WORDS = {
  not_requested: 'Not sent',
  skipped_no_address: 'No email address',
  queued: 'Queued',
  sending: 'Sending',
  sent: 'Sent',
  failed: 'Failed',
  bounced: 'Bounced',
};

export function emailWords(status) {
  return EMAIL_WORDS[status] || (status ? String(status).replace(/_/g, ' ') : '—');
}

const EMAIL_STATE_WORDS = {ok: 'OK', missing: 'No address', bouncing: 'Bouncing'};
const EMAIL_STATE_HINTS = {
  ok: 'Invoice emails reach this address.',
  missing: 'No email address on file: notify this resident another way.',
  bouncing: 'Emails to this address bounce: correct it on the resident’s profile.',
};

export function emailStateWords(resident) {
  return EMAIL_STATE_WORDS[resident.email_state] || String(resident.email_state || '');
}

/** The resident's email state as a badge, its meaning in the title and for screen readers. */
export function emailStateBadge(resident, extra = {}) {
  const state = resident.email_state;
  return h(
    'span',
    {class: `badge email-${state}`, title: EMAIL_STATE_HINTS[state] || null, ...extra},
    emailStateWords(resident),
  );
}

const PAYMENT_WORDS = {
  succeeded: 'Received',
  processing: 'Processing (bank transfer)',
  failed: 'Failed',
  attempt_failed: 'Declined',
};

export function paymentWords(state) {
  return PAYMENT_WORDS[state] || String(state).replace(/_/g, ' ');
}

const HISTORY_WORDS = {
  created: 'Created as a draft',
  published: 'Published',
  voided: 'Voided',
  overdue: 'Became overdue',
  email_sent: 'Email sent',
  email_failed: 'Email could not be sent',
  email_bounced: 'Email bounced',
  email_resend_requested: 'Email resend requested',
  payment_succeeded: 'Payment received',
  payment_processing: 'Bank payment processing',
  payment_failed: 'Payment failed',
  payment_attempt_failed: 'Payment declined',
  payment_refunded: 'Payment refunded',
  edited: 'Draft edited',
  profile_updated: 'Profile changed',
};

export function historyWords(action) {
  return HISTORY_WORDS[action] || String(action).replace(/_/g, ' ');
}

export function actorWords(actor) {
  if (!actor) return '';
  if (actor.kind === 'stripe') return 'Stripe';
  if (actor.name) return actor.name;
  return {schedule: 'Schedule', stripe: 'Stripe', system: 'System'}[actor.kind] || actor.id || '';
}

/**
 * A validation message from the API ("Value error, must be a valid email address, like
 * resident@example.com") as a sentence under its field ("Must be a valid email ...").
 */
export function problemWords(message) {
  const text = String(message || 'is not valid').replace(/^Value error,\s*/i, '').trim();
  return text.charAt(0).toUpperCase() + text.slice(1) + (/[.!?]$/.test(text) ? '' : '.');
}

/** Every time zone the browser knows (for the property's time zone), the current one included. */
export function timeZones(current) {
  let zones = [];
  try {
    zones = Intl.supportedValuesOf('timeZone');
  } catch {
    zones = ['America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles', 'UTC'];
  }
  if (current && !zones.includes(current)) zones = [current, ...zones];
  return zones;
}

/** "America/Los_Angeles" as people read it: "America / Los Angeles". */
export function zoneWords(zone) {
  return String(zone || '').replace(/_/g, ' ').replace(/\//g, ' / ');
}

/** The currencies a property can bill in (the API's PropertyIn.currency). */
export const CURRENCIES = ['USD', 'CAD', 'EUR', 'GBP', 'AUD', 'NZD', 'MXN', 'JPY'];

const REFUSAL_WORDS = {
  invoice_has_payments: 'A payment was made or is still processing.',
  invoice_not_draft: 'Only drafts can be changed this way.',
  invoice_not_voidable: 'Only Open or Overdue invoices can be voided.',
  no_address: 'The resident has no email address on file.',
  address_bouncing: 'The resident’s email address is bouncing.',
};

export function reasonWords(reason, message) {
  return message || REFUSAL_WORDS[reason] || String(reason || '').replace(/_/g, ' ');
}

// -- dates ---------------------------------------------------------------------------

/** A calendar date ("2026-04-15"): no time zone applies, so none is used. */
export function formatDate(iso) {
  if (!iso) return '—';
  const [y, m, d] = String(iso).split('-').map(Number);
  if (!y || !m || !d) return String(iso);
  return new Intl.DateTimeFormat(undefined, {year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC'}).format(
    new Date(Date.UTC(y, m - 1, d)),
  );
}

function validZone(timeZone) {
  if (!timeZone) return undefined;
  try {
    new Intl.DateTimeFormat(undefined, {timeZone});
    return timeZone;
  } catch {
    return undefined;
  }
}

/** A moment, in the property's time zone when known (else the viewer's), zone named. */
export function formatDateTime(iso, timeZone) {
  if (!iso) return '—';
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return String(iso);
  return new Intl.DateTimeFormat(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    timeZone: validZone(timeZone),
    timeZoneName: 'short',
  }).format(when);
}

/** Today's date ("YYYY-MM-DD") in a time zone. */
export function todayIn(timeZone, plusDays = 0) {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: validZone(timeZone),
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(new Date());
  const get = (type) => Number(parts.find((p) => p.type === type).value);
  const date = new Date(Date.UTC(get('year'), get('month') - 1, get('day') + plusDays));
  return date.toISOString().slice(0, 10);
}

// -- money -----------------------------------------------------------------------------

export function currencyDigits(currency) {
  try {
    return new Intl.NumberFormat('en', {style: 'currency', currency}).resolvedOptions().maximumFractionDigits;
  } catch {
    return 2;
  }
}

/** Minor units (an integer) shown in a currency: for sums and typed amounts only. */
export function formatMinor(amount, currency) {
  const digits = currencyDigits(currency);
  try {
    return new Intl.NumberFormat(undefined, {style: 'currency', currency}).format(amount / 10 ** digits);
  } catch {
    return `${(amount / 10 ** digits).toFixed(digits)} ${currency}`;
  }
}

/**
 * What a person typed ("325", "1,234.5", "$1,234.50") as integer minor units, or null.
 * No floating point: the digits are split at the decimal point.
 */
export function parseAmount(text, currency) {
  const digits = currencyDigits(currency);
  const cleaned = String(text).trim().replace(/[\s,]/g, '').replace(/^[^\d.]+/, '');
  const match = /^(\d+)(?:\.(\d*))?$/.exec(cleaned);
  if (!match) return null;
  const fraction = match[2] || '';
  if (fraction.length > digits) return null;
  const minor = BigInt(match[1]) * 10n ** BigInt(digits) + BigInt(fraction.padEnd(digits, '0') || '0');
  if (minor <= 0n || minor > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return Number(minor);
}

/** Minor units back to what the amount field shows ("325.00"). */
export function minorToInput(amount, currency) {
  const digits = currencyDigits(currency);
  if (!digits) return String(amount);
  const text = String(amount).padStart(digits + 1, '0');
  return `${text.slice(0, -digits)}.${text.slice(-digits)}`;
}
