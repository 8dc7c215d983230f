// The desk's one script: small, no framework, and the pages work without it.
'use strict';

// A live list (data-live="<seconds>"): fetch this page again every few seconds while it is
// shown, and put the new list in place when what it shows changed (its data-version).
function keepLive(section) {
  const every = Number(section.dataset.live) * 1000;
  const status = document.getElementById('live-status');
  let busy = false;
  async function check() {
    if (busy || document.visibilityState !== 'visible') return;
    busy = true;
    try {
      const response = await fetch(location.href, { headers: { Accept: 'text/html' }, credentials: 'same-origin' });
      // Signed out meanwhile (the answer is the sign-in page): go there.
      if (response.redirected && new URL(response.url).pathname === '/login') return location.assign(response.url);
      if (!response.ok) return;
      const page = new DOMParser().parseFromString(await response.text(), 'text/html');
      const fresh = page.getElementById(section.id);
      if (fresh && fresh.dataset.version !== section.dataset.version) {
        section.replaceChildren(...fresh.childNodes);
        section.dataset.version = fresh.dataset.version;
        // The counts per state change with the list.
        const tabs = document.querySelector('nav.tabs');
        const freshTabs = page.querySelector('nav.tabs');
        if (tabs && freshTabs) tabs.replaceChildren(...freshTabs.childNodes);
        if (status) status.textContent = 'รายการหนังสือมีการเปลี่ยนแปลง';
      }
    } catch {
      // The desk is away for a moment: try again at the next turn.
    } finally {
      busy = false;
    }
  }
  setInterval(check, every);
  document.addEventListener('visibilitychange', check);
}

// A form that cannot be undone (annul, return) asks first: data-confirm="...".
function confirmFirst(form) {
  form.addEventListener('submit', (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
}

document.querySelectorAll('[data-live]').forEach(keepLive);
document.querySelectorAll('form[data-confirm]').forEach(confirmFirst);
