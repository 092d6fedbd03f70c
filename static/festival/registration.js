// Team registration: the public space must lie in the team's sector, so the list offers
// only the chosen sector's spaces (coordinators, who may override, still see them all).
// The server checks the rule again; this only spares representatives a refused form.
(function () {
  "use strict";
  var form = document.querySelector("[data-team-registration]");
  if (!form || form.hasAttribute("data-may-override")) return;
  var sector = form.querySelector("select[name=sector]");
  var space = form.querySelector("select[name=public_space]");
  if (!sector || !space) return;
  function filter() {
    Array.prototype.forEach.call(space.options, function (option) {
      if (!option.value) return;
      option.hidden = !!sector.value && option.dataset.sector !== sector.value;
      if (option.hidden && option.selected) space.value = "";
    });
  }
  sector.addEventListener("change", filter);
  filter();
})();
