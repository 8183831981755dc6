// The app's only script (the CSP allows no inline script): ask before a
// form marked data-confirm is sent, and the keyboard shortcuts listed on
// the "?" overlay. Every shortcut presses a control that is on the page
// anyway (data-key, data-choice), so nothing here can do what a click
// could not, and the pages work without it.
"use strict";
(function () {
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  var dialog = document.getElementById("keys");

  function help() {
    if (dialog && !dialog.open && dialog.showModal) {
      dialog.showModal();
      return true;
    }
    return false;
  }

  Array.prototype.forEach.call(document.querySelectorAll(".keys-open"), function (b) {
    b.addEventListener("click", help);
  });

  function typing(el) {
    if (!el || !el.tagName) return false;
    var tag = el.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || el.isContentEditable;
  }

  function press(selector) {
    var el = document.querySelector(selector);
    if (!el) return false;
    el.click();
    return true;
  }

  // The queue: j/k move between the rows' document links, x ticks the row.
  function moveRow(step) {
    var links = Array.prototype.slice.call(document.querySelectorAll("table.queue a.open"));
    if (!links.length) return false;
    var i = links.indexOf(document.activeElement);
    i = i < 0 ? (step > 0 ? 0 : links.length - 1) : Math.max(0, Math.min(links.length - 1, i + step));
    links[i].focus();
    return true;
  }

  function tickRow() {
    var row = document.activeElement && document.activeElement.closest ? document.activeElement.closest("tr") : null;
    var box = row && row.querySelector("input[type=checkbox]");
    if (!box) return false;
    box.checked = !box.checked;
    return true;
  }

  // e: open the editor of the first field that needs attention (else the
  // first field) and put the cursor in it.
  function firstField() {
    var edit = document.querySelector("tr[data-attention] details.edit") ||
      document.querySelector("table.fields details.edit");
    if (!edit) return false;
    edit.open = true;
    var input = edit.querySelector("input:not([type=hidden]), textarea");
    if (!input) return false;
    input.focus();
    if (input.select) input.select();
    return true;
  }

  // r: open "Reject or mark not a report" and put the cursor in the reason.
  function rejectReason() {
    var reason = document.getElementById("reason");
    var more = reason && reason.closest("details");
    if (!reason) return false;
    if (more) more.open = true;
    reason.focus();
    return true;
  }

  function focusNote() {
    var note = document.getElementById("note");
    if (!note) return false;
    note.focus();
    return true;
  }

  document.addEventListener("keydown", function (e) {
    if (e.defaultPrevented) return;
    // Ctrl+Enter in a field of the record: save every change, approve, next.
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && e.target.form && e.target.form.id === "record-form") {
      if (press('[data-key="a"]')) e.preventDefault();
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (typing(e.target)) {
      if (e.key === "Escape") e.target.blur();
      return;
    }
    if (dialog && dialog.open) return;
    var k = e.key;
    var done = false;
    var onQueue = !!document.querySelector("table.queue");
    if (k === "?") done = help();
    else if (/^[1-9]$/.test(k)) done = press('[data-choice="' + k + '"]');
    else if (k === "e") done = firstField();
    else if (k === "n") done = focusNote();
    else if (k === "r") done = rejectReason();
    else if ((k === "j" || k === "k") && onQueue) done = moveRow(k === "j" ? 1 : -1);
    else if (k === "x" && onQueue) done = tickRow();
    else if ("jkautsd".indexOf(k) >= 0 && k.length === 1) done = press('[data-key="' + k + '"]');
    if (done) e.preventDefault();
  });
})();
