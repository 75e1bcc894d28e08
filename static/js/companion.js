// Small progressive enhancements; every page works without this file.
"use strict";

// Don't let the 15-second thread refresh wipe a reply or edit someone is writing, or
// has opened and means to write (an open reply or edit form, even while still empty).
document.addEventListener("htmx:beforeRequest", (event) => {
  const source = event.detail.elt;
  if (!source.matches || !source.matches("[data-poll]")) return;
  const writing = Array.from(source.querySelectorAll("textarea, input[type=text]")).some(
    (field) => field.value.trim() !== "" || field === document.activeElement
  );
  const open = source.querySelector(".reply-slot form");
  if (writing || open) event.preventDefault();
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

// Moving as you read (opt-in, account settings): when the reader stops scrolling with a
// paragraph at the reading line for a few seconds, their place moves forward to it.
// Only scrolling the reader did counts (not the jump to a linked paragraph), it never
// moves back, and the last paragraph (finishing the chapter) stays an explicit press.
(() => {
  const text = document.querySelector(".chapter-text[data-auto-advance]");
  if (!text || !window.htmx) return;
  const PAUSE_MS = 3000;
  const READING_LINE = 0.3; // from the top of the window
  const chapter = Number(text.dataset.chapter);
  const last = Number(text.dataset.last);
  let here = Number(text.dataset.here);
  let engaged = false;
  let timer = null;

  const atReadingLine = () => {
    const line = window.innerHeight * READING_LINE;
    for (const para of text.querySelectorAll(".para")) {
      const box = para.getBoundingClientRect();
      if (box.top <= line && box.bottom > line) return Number(para.dataset.index);
      if (box.top > line) break;
    }
    return null;
  };

  const settle = () => {
    const index = atReadingLine();
    if (index === null || index <= here || index >= last) return;
    here = index;
    htmx.ajax("POST", text.dataset.autoAdvance, {
      source: text,
      target: "#progress",
      swap: "outerHTML",
      values: { chapter, paragraph: index, auto: "1" },
    });
  };

  for (const type of ["wheel", "touchstart", "keydown", "pointerdown"]) {
    window.addEventListener(type, () => { engaged = true; }, { passive: true });
  }
  window.addEventListener("scroll", () => {
    if (!engaged) return;
    clearTimeout(timer);
    timer = setTimeout(settle, PAUSE_MS);
  }, { passive: true });
  // "I'm here" and the finish button move the place too.
  document.body.addEventListener("progress-moved", (event) => {
    const moved = event.detail;
    if (moved.chapter === chapter) here = moved.paragraph;
    else here = moved.chapter > chapter ? last : -1;
  });
})();

// Keyboard focus after a swap: the server names where it belongs (the comment just
// written, the reader's new place); otherwise it falls back to <body>, far from where the
// reader was working.
document.body.addEventListener("companion-focus", (event) => {
  const target = event.detail.selectors
    .map((selector) => document.querySelector(selector))
    .find((element) => element);
  if (!target) return;
  if (!target.matches("a[href], button, input, textarea, select, [tabindex]")) {
    target.setAttribute("tabindex", "-1");
  }
  target.focus({ preventScroll: true });
});

// "Cancel" on a reply, edit or report form opened under a comment: close it in place
// (without script the link leads back to the comment's thread).
document.addEventListener("click", (event) => {
  const cancel = event.target.closest && event.target.closest("[data-cancel]");
  const slot = cancel && cancel.closest(".reply-slot");
  if (!slot) return;
  event.preventDefault();
  slot.replaceChildren();
  const comment = slot.closest("li[id^='comment-']");
  if (comment) {
    comment.setAttribute("tabindex", "-1");
    comment.focus({ preventScroll: true });
  }
});
