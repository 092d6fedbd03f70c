// Team registration: the public space must lie in the team's sector, so the list offers
// only the chosen sector's spaces (coordinators, who may override, still see them all),
// and the same choices are points on a map: picking a point picks the option. The select
// stays the form's one input, so the page works without the map or its tiles. The server
// checks the sector rule again; this only spares representatives a refused form.
(function () {
  "use strict";
  var form = document.querySelector("[data-team-registration]");
  if (!form) return;
  var mayOverride = form.hasAttribute("data-may-override");
  var sector = form.querySelector("select[name=sector]");
  var space = form.querySelector("select[name=public_space]");
  if (!sector || !space) return;
  var picker = form.querySelector("[data-space-picker]");
  var picked = picker && picker.querySelector("[data-space-picked]");
  var listeners = [];

  function offered(option) {
    return !!option.value && (mayOverride || !sector.value || option.dataset.sector === sector.value);
  }

  function filter() {
    Array.prototype.forEach.call(space.options, function (option) {
      if (!option.value) return;
      option.hidden = !offered(option);
      if (option.hidden && option.selected) space.value = "";
    });
    listeners.forEach(function (listener) { listener(); });
  }

  function announce() {
    if (!picked) return;
    var option = space.options[space.selectedIndex];
    picked.textContent = option && option.value ? picker.dataset.msgChosen + " " + option.textContent : "";
  }

  window.addEventListener("map:init", function (event) {
    if (!picker || event.detail.map.getContainer().id !== "proposal-map") return;
    var map = event.detail.map;
    var layer = L.featureGroup().addTo(map);

    function icon(selected) {
      return L.divIcon({
        className: "space-pin" + (selected ? " space-pin-selected" : ""),
        iconSize: selected ? [22, 22] : [16, 16],
      });
    }

    function draw() {
      layer.clearLayers();
      Array.prototype.forEach.call(space.options, function (option) {
        if (!offered(option) || !option.dataset.lat) return;
        var marker = L.marker([parseFloat(option.dataset.lat), parseFloat(option.dataset.lng)], {
          icon: icon(option.selected),
          title: option.textContent,
          alt: option.textContent,
          keyboard: true,
        });
        marker.on("click", function () {
          space.value = option.value;
          space.dispatchEvent(new Event("change", { bubbles: true }));
        });
        layer.addLayer(marker);
      });
      if (layer.getLayers().length) map.fitBounds(layer.getBounds(), { padding: [24, 24], maxZoom: 17 });
    }

    listeners.push(draw);
    space.addEventListener("change", draw);
    draw();
  });

  sector.addEventListener("change", filter);
  space.addEventListener("change", announce);
  filter();
  announce();
})();
