// The import form refuses a file over the upload limit as soon as it is chosen, in the API's words,
// rather than after uploading it all. The server checks again (and is the only check without JS).
(() => {
  const input = document.querySelector("input[type=file][data-max-bytes]");
  if (!input) return;
  input.addEventListener("change", () => {
    const file = input.files[0];
    const tooLarge = file && file.size > Number(input.dataset.maxBytes);
    input.setCustomValidity(tooLarge ? input.dataset.tooLarge : "");
    if (tooLarge) input.reportValidity();
  });
})();
