// What the Publish All dialog shows once a job has finished, below its counts: the place
// for everything about reaching the residents the job published to.
//
// Today: the residents with no email address, to notify another way (the invoice list's
// email=skipped_no_address). The delivery report (emails sent, failed, bounced,
// per job) and the printable letters for residents without an address (one PDF per job)
// belong here too, as further sections returned by publishAllReport: each a
// <section class="report-section" aria-labelledby=...> with its own heading, in that
// order after this one. The dialog renders whatever this returns into #publish-all-report.

import {h} from '../dom.js';

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
  return sections;
}
