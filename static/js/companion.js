// Small progressive enhancements; every page works without this file.
"use strict";

// Don't let the 15-second thread refresh wipe a reply or edit someone is writing.
document.addEventListener("htmx:beforeRequest", (event) => {
  const source = event.detail.elt;
  if (!source.matches || !source.matches("[data-poll]")) return;
  const busy = Array.from(source.querySelectorAll("textarea, input[type=text]")).some(
    (field) => field.value.trim() !== "" || field === document.activeElement
  );
  if (busy) event.preventDefault();
});

// Quote a passage: select text in the chapter, then "Quote" fills the chapter composer.
(() => {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "quote-button";
  button.textContent = "Quote";
  button.hidden = true;
  let selected = "";

  document.addEventListener("selectionchange", () => {
    const selection = document.getSelection();
    const text = selection ? selection.toString().trim() : "";
    const anchor = selection && selection.anchorNode && selection.anchorNode.parentElement;
    const inText = anchor && anchor.closest(".chapter-text");
    const composer = document.getElementById("composer-body");
    if (!text || !inText || !composer) {
      button.hidden = true;
      return;
    }
    selected = text;
    const rect = selection.getRangeAt(0).getBoundingClientRect();
    button.style.top = `${window.scrollY + rect.bottom + 6}px`;
    button.style.left = `${window.scrollX + rect.left}px`;
    if (!button.isConnected) document.body.append(button);
    button.hidden = false;
  });

  button.addEventListener("mousedown", (event) => event.preventDefault());
  button.addEventListener("click", () => {
    const composer = document.getElementById("composer-body");
    if (!composer) return;
    const quoted = selected.split(/\n+/).map((line) => `> ${line}`).join("\n");
    composer.value = `${composer.value ? composer.value + "\n\n" : ""}${quoted}\n\n`;
    button.hidden = true;
    composer.focus();
    composer.scrollIntoView({ block: "center" });
  });
})();
