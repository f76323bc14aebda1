// The import page's progress bar: polls the import's progress.json (the API's live figures) and
// reloads the page for the report once the import (or its undo) has finished. Without JavaScript the page
// reloads itself instead (<noscript> refresh).
(() => {
  const bar = document.getElementById("import-progress");
  const label = document.getElementById("import-progress-label");
  if (!bar || !label) return;
  const heading = document.getElementById("import-status");
  const cancel = document.getElementById("import-undo-card");
  let delay = 500;

  // One state, the server's, drives the heading, the bar and the Cancel card together.
  function show(p) {
    if (heading) heading.textContent = p.heading;
    label.textContent = p.label;
    if (cancel) cancel.hidden = !p.cancellable;
    if (p.status !== "queued" && p.rows_total) {
      bar.max = p.rows_total;
      bar.value = p.rows_processed;
    } else {
      bar.removeAttribute("value");
    }
  }

  async function poll() {
    try {
      const response = await fetch(bar.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (response.ok) {
        const p = await response.json();
        if (p.status === "succeeded" || p.status === "failed" || p.status === "undone") {
          bar.max = 1;
          bar.value = 1;
          label.textContent = { succeeded: "Done", failed: "Failed", undone: "Undone" }[p.status];
          window.location.reload();
          return;
        }
        show(p);
        delay = 500;
      } else {
        delay = Math.min(delay * 2, 10000);
      }
    } catch (error) {
      delay = Math.min(delay * 2, 10000);  // offline or the server restarting: try again later
    }
    setTimeout(poll, delay);
  }
  setTimeout(poll, delay);
})();
