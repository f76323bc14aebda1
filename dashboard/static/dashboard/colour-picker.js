// A colour picker beside each #rrggbb field (<input type="color" data-colour-for="id">): shown only
// with JavaScript, it writes the field, and the field's valid values move it. The field stays the
// one submitted, so "none" (an empty field) remains possible.
document.querySelectorAll("input[type=color][data-colour-for]").forEach((picker) => {
  const field = document.getElementById(picker.dataset.colourFor);
  if (!field) return;
  picker.hidden = false;
  picker.addEventListener("input", () => { field.value = picker.value; });
  field.addEventListener("input", () => {
    if (/^#[0-9a-fA-F]{6}$/.test(field.value)) picker.value = field.value.toLowerCase();
  });
});
