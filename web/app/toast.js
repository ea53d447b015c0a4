// Short confirmations, read out by screen readers (the region is aria-live).

export function toast(message, kind = 'success') {
  const region = document.getElementById('toasts');
  if (!region) return;
  const note = document.createElement('p');
  note.className = `toast toast-${kind}`;
  note.textContent = message;
  region.append(note);
  setTimeout(() => note.remove(), 6000);
}
