// Forms: the API's validation errors (422 `validation_failed` with `fields`, or a refusal
// naming one `field`) shown at the fields they are about, in the form's own words.

import {h} from './dom.js';
import {problemWords} from './format.js';
import {notice} from './layout.js';

/**
 * Put a 422's field problems under their fields, in the form's words, with a summary that
 * names the fields by their labels; focus the first. False when the error is not that.
 */
export function showFieldErrors(error, fields, controls, status) {
  const problems = error.code === 'validation_failed' ? error.details.fields || [] : [];
  const single = error.details?.field ? [{field: error.details.field, message: error.message}] : [];
  const all = problems.length ? problems : error.status === 422 ? single : [];
  const known = all.filter((p) => fields[String(p.field).split('.')[0]]);
  if (!known.length) return false;
  const labels = [];
  for (const problem of known) {
    const name = String(problem.field).split('.')[0];
    fields[name].setError(problemWords(problem.message));
    labels.push(fields[name].querySelector('label').textContent.replace(/ \(optional\)$/, ''));
  }
  const others = all.filter((p) => !known.includes(p));
  status.replaceChildren(
    notice(
      'error',
      h('p', {}, `Check ${labels.length === 1 ? 'this field' : 'these fields'}: ${labels.join(', ')}.`),
      others.length ? h('ul', {}, others.map((p) => h('li', {}, problemWords(p.message)))) : null,
    ),
  );
  controls[String(known[0].field).split('.')[0]]?.focus();
  return true;
}
