// Autosave for the bid answers form (templates/bids/sections/_questions.html).
//
// Loaded as a module (no inline script: the Content-Security-Policy forbids it):
//   <script type="module" src="{% static 'js/autosave.mjs' %}"></script>
//
// - Every 20 seconds, and when the page is hidden, posts the form in the background to
//   `data-autosave-url` (the section's own URL with ?autosave=1; 204 when saved), with the CSRF
//   token from the form.
// - Keeps a copy of every answer in localStorage, keyed by the bid's id, so nothing typed is lost
//   if the session ends: after signing in again, kept answers are put back into empty fields (or
//   over older saved ones). The copy is cleared once the server has saved the answers.
// - If the background save is sent to the sign-in page (the session has ended), shows the banner
//   "Your session has ended — sign in again; your answers are kept in this browser".
// - On the task list after a successful Save (`data-autosave-clear`), clears the kept copy.

const INTERVAL_MS = 20_000;
const keyFor = (bidId) => `commissioner:bid:${bidId}:answers`;

function readKept(bidId) {
  try {
    return JSON.parse(window.localStorage.getItem(keyFor(bidId)) || "null");
  } catch {
    return null;
  }
}

function writeKept(bidId, kept) {
  try {
    window.localStorage.setItem(keyFor(bidId), JSON.stringify(kept));
  } catch {
    // Storage full or disabled: the server-side autosave still runs.
  }
}

function forget(bidId) {
  try {
    window.localStorage.removeItem(keyFor(bidId));
  } catch {
    // Nothing to do.
  }
}

function fieldsOf(form) {
  return Array.from(form.querySelectorAll("textarea[name], input[type=text][name]"));
}

function snapshot(form) {
  const values = {};
  for (const field of fieldsOf(form)) values[field.name] = field.value;
  return values;
}

function show(banner) {
  if (!banner) return;
  banner.hidden = false;
  banner.setAttribute("role", "alert");
  banner.setAttribute("tabindex", "-1");
  banner.focus();
}

function restore(form, bidId) {
  const kept = readKept(bidId);
  if (!kept || !kept.values) return;
  const savedAt = Number(form.dataset.savedAt || 0) * 1000;
  const newer = Number(kept.at || 0) > savedAt;
  let restored = false;
  let differs = false;
  for (const field of fieldsOf(form)) {
    const value = kept.values[field.name];
    if (typeof value !== "string" || value === field.value) continue;
    if (field.value.trim() === "" || newer) {
      field.value = value;
      // Let GOV.UK Frontend's character count recount the words.
      field.dispatchEvent(new Event("input", { bubbles: true }));
      field.dispatchEvent(new Event("keyup", { bubbles: true }));
      restored = true;
    } else {
      differs = true;
    }
  }
  if (restored) show(document.querySelector("[data-autosave-restored]"));
  if (!restored && !differs) forget(bidId);
}

function start(form) {
  const bidId = form.dataset.bidId;
  const url = form.dataset.autosaveUrl;
  if (!bidId || !url) return;
  restore(form, bidId);

  let lastSent = JSON.stringify(snapshot(form));
  let ended = false;
  let inFlight = false;

  const keep = () => writeKept(bidId, { at: Date.now(), values: snapshot(form) });
  form.addEventListener("input", keep);

  async function save() {
    const current = JSON.stringify(snapshot(form));
    if (ended || inFlight || current === lastSent) return;
    keep();
    inFlight = true;
    try {
      const response = await fetch(url, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        redirect: "manual",
        headers: { "X-Requested-With": "fetch" },
        keepalive: current.length < 60_000,
      });
      const signedOut = response.type === "opaqueredirect" || (response.status >= 300 && response.status < 400);
      // 403: the form's CSRF token no longer matches (signed out and in again elsewhere).
      if (signedOut || response.status === 401 || response.status === 403) {
        // Sent to sign in: the session has ended. Keep the copy; tell the person.
        ended = true;
        show(document.querySelector("[data-autosave-ended]"));
      } else if (response.status === 204) {
        lastSent = current;
        if (JSON.stringify(snapshot(form)) === current) forget(bidId);
      }
    } catch {
      // Offline for a moment: the copy in this browser is kept and the next tick tries again.
    } finally {
      inFlight = false;
    }
  }

  window.setInterval(save, INTERVAL_MS);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") save();
  });
}

for (const element of document.querySelectorAll("[data-autosave-clear]")) {
  forget(element.dataset.autosaveClear);
}
for (const form of document.querySelectorAll("form[data-autosave]")) {
  start(form);
}
