// The column mapping page: as the trader changes a column's field, a side value, the date format or
// the zone, the server reads the first rows again by the mapping the form now states (the reader the
// import uses) and the preview is replaced; a column change redraws the side's values too. A new
// level changes every choice, so it reloads the page as the Preview button does without JavaScript.
(() => {
  const form = document.getElementById("mapping-form");
  if (!form) return;
  const preview = document.getElementById("mapping-preview");
  const sides = document.getElementById("side-values");
  const errors = document.getElementById("mapping-errors");
  let timer = null;
  let sent = 0;

  async function refresh(redrawSides) {
    const body = new FormData(form);
    const number = ++sent;
    try {
      const response = await fetch(form.dataset.previewUrl, { method: "POST", body, credentials: "same-origin",
                                                             headers: { Accept: "application/json" } });
      if (!response.ok || number !== sent) return;  // a later change's answer is the one to show
      const parts = await response.json();
      preview.innerHTML = parts.preview;
      errors.innerHTML = parts.errors;
      if (redrawSides) sides.innerHTML = parts.side_values;
    } catch (error) {
      // Offline or the server restarting: the Preview button still works.
    }
  }

  function soon(redrawSides) {
    clearTimeout(timer);
    timer = setTimeout(() => refresh(redrawSides), 250);
  }

  form.addEventListener("change", (event) => {
    const input = event.target;
    if (input.name === "level") {
      form.requestSubmit(form.querySelector("button[value=preview]"));
    } else if (input.name !== "name") {
      soon(input.name.startsWith("column-"));
    }
  });
  form.addEventListener("input", (event) => {
    if (event.target.name === "date_format") soon(false);
  });
})();
