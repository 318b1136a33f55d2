/*
 * Small helps for the register's forms. Everything works without this file: the server
 * renders three empty child rows and checks every answer itself.
 *
 * - A formset ([data-formset]) shows one empty row; "Add another child" reveals the next one
 *   or copies the empty row kept in a <template>. Empty rows are sent and ignored.
 * - In a child row ([data-row]), the caregiver's fields ([data-outside]) are switched off
 *   while "lives in prison with her" is answered "yes", so they are not sent.
 * - The summary of a form's mistakes (#error-summary) takes the focus.
 */
(function () {
  "use strict";

  function isBlank(row) {
    if (row.querySelector(".error")) {
      return false;
    }
    var fields = row.querySelectorAll("input, textarea");
    for (var i = 0; i < fields.length; i++) {
      var field = fields[i];
      if (field.type === "checkbox" || field.type === "radio") {
        if (field.checked) {
          return false;
        }
      } else if (field.type !== "hidden" && field.value.trim() !== "") {
        return false;
      }
    }
    return true;
  }

  function focusFirst(row) {
    var first = row.querySelector("input:not([type=hidden]), select, textarea");
    if (first) {
      first.focus();
    }
  }

  function wireRow(row) {
    var outside = row.querySelector("[data-outside]");
    if (!outside) {
      return;
    }
    var radios = row.querySelectorAll("input[type=radio][name$='living_in_prison']");
    function update() {
      var inPrison = row.querySelector(
        "input[type=radio][name$='living_in_prison'][value=yes]:checked"
      );
      outside.disabled = Boolean(inPrison);
    }
    for (var i = 0; i < radios.length; i++) {
      radios[i].addEventListener("change", update);
    }
    update();
  }

  function setUpFormset(container) {
    var prefix = container.getAttribute("data-formset");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var maximum = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
    var template = document.getElementById(prefix + "-empty-row");
    var button = document.querySelector("[data-add-row='" + prefix + "']");
    if (!total || !template || !button) {
      return;
    }

    // Keep the first empty row in view and hide the other empty rows.
    var rows = container.querySelectorAll("[data-row]");
    var keptOne = false;
    for (var i = 0; i < rows.length; i++) {
      if (isBlank(rows[i])) {
        rows[i].hidden = keptOne;
        keptOne = true;
      }
    }

    button.hidden = false;
    button.addEventListener("click", function () {
      var hidden = container.querySelector("[data-row][hidden]");
      if (hidden) {
        hidden.hidden = false;
        focusFirst(hidden);
        return;
      }
      var index = parseInt(total.value, 10);
      if (maximum && index >= parseInt(maximum.value, 10)) {
        button.disabled = true;
        return;
      }
      var html = template.innerHTML
        .replace(/__prefix__/g, String(index))
        .replace(/__num__/g, String(index + 1));
      container.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var added = container.lastElementChild;
      wireRow(added);
      focusFirst(added);
    });
  }

  function start() {
    var rows = document.querySelectorAll("[data-row]");
    for (var i = 0; i < rows.length; i++) {
      wireRow(rows[i]);
    }
    var formsets = document.querySelectorAll("[data-formset]");
    for (var j = 0; j < formsets.length; j++) {
      setUpFormset(formsets[j]);
    }
    // A form sent back with mistakes: the summary of them is read first.
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.focus();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
