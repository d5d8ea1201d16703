// minzheng: small enhancements only. Every page works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Filters apply as soon as a choice is made, instead of waiting for the search button.
  for (const select of document.querySelectorAll("form.filters select")) {
    select.addEventListener("change", () => select.form.requestSubmit());
  }
  // Buttons that end something ask first; the question is in the page's language.
  for (const button of document.querySelectorAll("button[data-confirm]")) {
    button.addEventListener("click", (event) => {
      if (!window.confirm(button.dataset.confirm)) event.preventDefault();
    });
  }
});
document.addEventListener("DOMContentLoaded", () => {
  // A print button (the page also says how to print without it).
  for (const button of document.querySelectorAll("button[data-print]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
});
