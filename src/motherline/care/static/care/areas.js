/*
 * Choosing an address's areas: the districts of the province chosen, then the communes of
 * the district chosen, read from the API without leaving the page. Without this file the
 * form works the same way with its "Show the districts / communes" buttons, which send the
 * form back to be shown again with the next list narrowed.
 */
(function () {
  "use strict";

  function language() {
    return (document.documentElement.lang || "en").split("-")[0];
  }

  function fill(select, areas) {
    var keep = select.options.length ? select.options[0] : null;
    while (select.options.length) {
      select.remove(0);
    }
    if (keep) {
      select.add(keep);
    }
    var local = language() !== "en";
    areas
      .map(function (area) {
        return { code: area.code, name: (local && area.name_local) || area.name };
      })
      .sort(function (a, b) {
        return a.name.localeCompare(b.name);
      })
      .forEach(function (area) {
        select.add(new Option(area.name, area.code));
      });
    select.value = "";
  }

  function load(url, select, fieldset) {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (areas) {
        fill(select, areas);
      })
      .catch(function () {
        // The buttons that send the form back still work.
        fieldset.querySelectorAll("[data-refine]").forEach(function (el) {
          el.hidden = false;
        });
      });
  }

  function setUp(fieldset) {
    var province = fieldset.querySelector("select[name=province]");
    var district = fieldset.querySelector("select[name=district]");
    var commune = fieldset.querySelector("select[name=commune]");
    if (!province || !district || !commune || !window.fetch) {
      return;
    }
    fieldset.querySelectorAll("[data-refine]").forEach(function (el) {
      el.hidden = true;
    });
    var districts = fieldset.getAttribute("data-districts-url");
    var communes = fieldset.getAttribute("data-communes-url");
    province.addEventListener("change", function () {
      fill(district, []);
      fill(commune, []);
      if (province.value) {
        load(districts.replace("PROVINCE", encodeURIComponent(province.value)), district, fieldset);
      }
    });
    district.addEventListener("change", function () {
      fill(commune, []);
      if (province.value && district.value) {
        var url = communes
          .replace("PROVINCE", encodeURIComponent(province.value))
          .replace("DISTRICT", encodeURIComponent(district.value));
        load(url, commune, fieldset);
      }
    });
  }

  document.querySelectorAll("[data-areas]").forEach(setUp);
})();
