// The trade list's "select all on this page": ticks every row's box; unticking a row unticks it
// (without JavaScript the server reads the ticked header as "every trade on this page").
const selectPage = document.getElementById("select-page");
if (selectPage) {
  const rows = () => document.querySelectorAll('#bulk-form input[name="trade"]');
  selectPage.addEventListener("change", () => {
    for (const box of rows()) box.checked = selectPage.checked;
  });
  document.getElementById("bulk-form").addEventListener("change", (event) => {
    if (event.target.name !== "trade") return;
    const boxes = [...rows()];
    selectPage.checked = boxes.every((box) => box.checked);
  });
}

// Enter in a change's own field makes that change (a form's Enter would press its first button).
const bulkEdit = document.getElementById("bulk-edit");
if (bulkEdit) {
  bulkEdit.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || !event.target.matches(".bulk-action input")) return;
    event.preventDefault();
    event.target.closest(".bulk-action").querySelector("button").click();
  });
}
