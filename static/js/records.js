// Records pages: the print button of the summary, and ICD-10 code suggestions in the admin.
(function () {
  "use strict";
  document.querySelectorAll(".js-print").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // ICD-10 inputs work without JavaScript (the server validates the code); with it, a
  // <datalist> is filled from the staff-only search as the user types.
  var inputs = document.querySelectorAll("input.icd10-input");
  if (!inputs.length) { return; }
  var list = document.getElementById("icd10-suggestions");
  if (!list) {
    list = document.createElement("datalist");
    list.id = "icd10-suggestions";
    document.body.appendChild(list);
  }
  var source = document.querySelector("[data-icd10-search-url]");
  var url = source ? source.getAttribute("data-icd10-search-url") : null;
  if (!url) { return; }
  var timer = null;
  inputs.forEach(function (input) {
    input.setAttribute("list", "icd10-suggestions");
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 2) { return; }
      timer = setTimeout(function () {
        fetch(url + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : { results: [] }; })
          .then(function (data) {
            list.replaceChildren();
            data.results.forEach(function (item) {
              var option = document.createElement("option");
              option.value = item.code;
              option.label = item.code + " " + item.description;
              list.appendChild(option);
            });
          });
      }, 200);
    });
  });
})();
