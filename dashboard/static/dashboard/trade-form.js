// The trade form's multiplier hint follows the instrument as it is typed: the server says what an
// empty multiplier will be (journal/multipliers.py), shown as the input's placeholder and its help.
(() => {
  const url = document.currentScript.dataset.multiplierUrl;
  const instrument = document.getElementById("id_instrument");
  const multiplier = document.getElementById("id_multiplier");
  const help = document.getElementById("multiplier-help");
  if (!instrument || !multiplier || !help) return;
  let timer = null;
  instrument.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const response = await fetch(`${url}?${new URLSearchParams({ instrument: instrument.value })}`);
      if (!response.ok) return;
      const answer = await response.json();
      multiplier.placeholder = answer.multiplier;
      help.textContent = answer.hint;
    }, 250);
  });
})();
