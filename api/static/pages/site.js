/* skills-match pages: optional enhancements only. Every form works without this file. */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  function csrfToken(form) {
    var field = form && form.querySelector('input[name="csrf_token"]');
    return field ? field.value : "";
  }

  /* Show only the target field that goes with the chosen radio button. */
  function initTargetKind() {
    var radios = document.querySelectorAll('input[name="target_kind"][data-controls]');
    if (!radios.length) return;
    function update() {
      radios.forEach(function (radio) {
        var panel = document.getElementById(radio.getAttribute("data-controls"));
        if (panel) panel.hidden = !radio.checked;
      });
    }
    radios.forEach(function (radio) { radio.addEventListener("change", update); });
    update();
  }

  /* Job title suggestions as someone types. POST, so the words stay out of access logs. */
  function initOccupationSuggestions() {
    var input = document.getElementById("occupation");
    var list = document.getElementById("occupation-list");
    if (!input || !list || !window.fetch) return;
    var form = input.form;
    var timer = null;
    var last = "";
    input.addEventListener("input", function () {
      var text = input.value.trim();
      window.clearTimeout(timer);
      if (text.length < 2 || text === last) return;
      timer = window.setTimeout(function () {
        last = text;
        var body = new URLSearchParams();
        body.set("q", text);
        body.set("csrf_token", csrfToken(form));
        fetch("/adviser/occupations", {
          method: "POST",
          body: body,
          credentials: "same-origin",
          headers: { "Accept": "application/json" }
        }).then(function (response) {
          return response.ok ? response.json() : { occupations: [] };
        }).then(function (data) {
          list.textContent = "";
          (data.occupations || []).forEach(function (label) {
            var option = document.createElement("option");
            option.value = label;
            list.appendChild(option);
          });
        }).catch(function () { /* suggestions are a nicety: the form still works */ });
      }, 250);
    });
  }

  /* A print button, and every collapsed section opened for printing. */
  function initPrint() {
    document.querySelectorAll(".js-print").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
    var opened = [];
    window.addEventListener("beforeprint", function () {
      document.querySelectorAll("details:not([open])").forEach(function (el) {
        el.open = true;
        opened.push(el);
      });
    });
    window.addEventListener("afterprint", function () {
      opened.forEach(function (el) { el.open = false; });
      opened = [];
    });
  }

  /* Move focus to the error summary so keyboard and screen reader users hear it first. */
  function focusErrors() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) summary.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    initTargetKind();
    initOccupationSuggestions();
    initPrint();
    focusErrors();
  });
})();
