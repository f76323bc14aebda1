// The import page's progress bar: polls the import's progress.json (the API's live figures) and
// reloads the page for the report once the import has finished. Without JavaScript the page
// reloads itself instead (<noscript> refresh).
(() => {
  const bar = document.getElementById("import-progress");
  const label = document.getElementById("import-progress-label");
  if (!bar || !label) return;
  const number = new Intl.NumberFormat();
  let delay = 500;

  function show(p) {
    if (p.status === "queued") {
      label.textContent = "Waiting for a worker…";
      bar.removeAttribute("value");
      return;
    }
    const stage = p.stage ? p.stage[0].toUpperCase() + p.stage.slice(1) : "Working";
    if (p.rows_total) {
      bar.max = p.rows_total;
      bar.value = p.rows_processed;
      label.textContent = `${stage}: ${number.format(p.rows_processed)} of ${number.format(p.rows_total)} rows`;
    } else {
      bar.removeAttribute("value");
      label.textContent = `${stage}: ${number.format(p.rows_processed)} rows`;
    }
  }

  async function poll() {
    try {
      const response = await fetch(bar.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (response.ok) {
        const p = await response.json();
        if (p.status === "succeeded" || p.status === "failed") {
          bar.max = 1;
          bar.value = 1;
          label.textContent = p.status === "succeeded" ? "Done" : "Failed";
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
