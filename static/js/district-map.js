// Draws a district's outline and sectors on its map. The layers come from the page
// (json_script "map-layers"), so the map works even when the background tiles do not load.
(function () {
  "use strict";
  var palette = ["#1b6e5a", "#b3541e", "#3d5a98", "#8a3b8f", "#7a6a00", "#2f6f8f"];
  window.addEventListener("map:init", function (event) {
    var map = event.detail.map;
    var source = document.getElementById("map-layers");
    if (!source) return;
    var layers = JSON.parse(source.textContent);
    var bounds = null;
    if (layers.district) {
      var outline = L.geoJSON(layers.district, {
        style: { color: "#222", weight: 2, fill: false, dashArray: "4 4" },
        interactive: false,
      }).addTo(map);
      bounds = outline.getBounds();
    }
    if (layers.sectors && layers.sectors.features.length) {
      var sectors = L.geoJSON(layers.sectors, {
        style: function (feature) {
          var color = palette[(feature.properties.number - 1) % palette.length];
          return { color: color, weight: 2, fillColor: color, fillOpacity: 0.25 };
        },
        onEachFeature: function (feature, layer) {
          layer.bindTooltip(feature.properties.name, { sticky: true });
        },
      }).addTo(map);
      bounds = sectors.getBounds();
    }
    if (bounds && bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12] });
  });
})();
