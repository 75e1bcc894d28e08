// Dropping a file on the upload form's drop zone: the file becomes the picker's choice,
// so the form sends it exactly as if it had been picked. Without this script the picker
// alone does the same. Listeners sit on the document, so a form swapped in by htmx (the
// "try another file" form on a failed upload) works too.
"use strict";

(() => {
  const zoneOf = (event) => event.target.closest && event.target.closest("[data-drop-zone]");

  const show = (zone, file) => {
    const chosen = zone.querySelector("[data-drop-chosen]");
    const error = zone.querySelector("[data-drop-error]");
    const limit = Number(zone.dataset.maxBytes);
    const tooLarge = file && limit && file.size > limit;
    if (chosen) {
      chosen.textContent = file ? `Chosen: ${file.name}` : "";
      chosen.hidden = !file;
    }
    if (error) {
      error.textContent = tooLarge
        ? `${file.name} is larger than 20 MB, more than Companion accepts. Choose a smaller file.`
        : "";
      error.hidden = !tooLarge;
    }
    const button = zone.closest("form").querySelector("button[type=submit]");
    if (button) button.disabled = Boolean(tooLarge);
    zone.classList.toggle("has-error", Boolean(tooLarge));
  };

  for (const type of ["dragenter", "dragover"]) {
    document.addEventListener(type, (event) => {
      const zone = zoneOf(event);
      if (!zone) return;
      event.preventDefault(); // allows the drop
      zone.classList.add("drop-active");
    });
  }
  document.addEventListener("dragleave", (event) => {
    const zone = zoneOf(event);
    if (zone && !zone.contains(event.relatedTarget)) zone.classList.remove("drop-active");
  });
  document.addEventListener("drop", (event) => {
    const zone = zoneOf(event);
    if (!zone) return;
    event.preventDefault(); // the browser would otherwise open the file
    zone.classList.remove("drop-active");
    const files = event.dataTransfer && event.dataTransfer.files;
    const input = zone.querySelector("input[type=file]");
    if (!files || !files.length || !input) return;
    input.files = files;
    show(zone, files[0]);
  });
  document.addEventListener("change", (event) => {
    const input = event.target;
    if (!input.matches || !input.matches("[data-drop-zone] input[type=file]")) return;
    show(input.closest("[data-drop-zone]"), input.files[0]);
  });
})();
