// What the Publish All dialog shows once a job has finished, below its counts: the place
// for everything about reaching the residents the job published to.
//
// The residents with no email address, to notify another way (the invoice list's
// email=skipped_no_address); then the job's email delivery (sent, failed, bounced, no
// address) with links to its delivery report and CSV; then the job's printed letters for
// the residents the email could not reach (one PDF, printed when asked for). Each is a
// <section class="report-section" aria-labelledby=...> with its own heading. The dialog
// renders whatever this returns into #publish-all-report.

import {h} from '../dom.js';
import {letterButton} from '../letters.js';
import {deliverySection} from './deliveries.js';

/**
 * The sections to show after `job` finished (the delivery report and letters will read
 * the job; the list below reads the invoices published without an address). Never
 * throws: the job’s result is already on screen, and these are courtesies.
 */
export async function publishAllReport({api, base, job}) {
  const sections = [];
  try {
    const unnotified = await api.get(`${base}/invoices`, {email: 'skipped_no_address', limit: 100});
    const unreachable = unnotified.items || [];
    if (unreachable.length) {
      sections.push(
        h(
          'section',
          {class: 'notice notice-warning report-section', 'aria-labelledby': 'no-email-heading'},
          h('h3', {id: 'no-email-heading'}, 'Notify these residents another way'),
          h('p', {}, 'They have no email address on file, so they got no email. Their invoices are in their portal.'),
          h(
            'ul',
            {class: 'plain', id: 'no-email-list'},
            unreachable.map((row) => h('li', {}, `${row.resident_name} (${row.number})`)),
          ),
        ),
      );
    }
  } catch {
    // Without the list the dialog still shows the job's counts.
  }
  try {
    const propertyId = decodeURIComponent(base.split('/')[2]);
    const delivery = await deliverySection({api, propertyId, job});
    if (delivery) sections.push(delivery);
  } catch {
    // Nor does it need the delivery counts: the report's page says what went wrong.
  }
  sections.push(
    h(
      'section',
      {class: 'report-section', 'aria-labelledby': 'letters-heading'},
      h('h3', {id: 'letters-heading'}, 'Letters to print'),
      h(
        'p',
        {},
        'Residents the email could not reach (no address, or an email refused or bounced) get a one-page letter with a QR code to pay. ',
        'All of this job’s letters come as one PDF, with a cover page listing who to mail.',
      ),
      letterButton(api, `${base}/publish-jobs/${encodeURIComponent(job.job_id)}/letters`, {
        id: 'print-letters',
        label: 'Print letters',
        waiting: 'Printing the letters…',
        ready: (data) => `Open ${data.letters} ${data.letters === 1 ? 'letter' : 'letters'} (PDF)`,
        none: 'No letters to print yet: every resident was reached by email, or their letters are still being printed.',
      }),
    ),
  );
  return sections;
}
