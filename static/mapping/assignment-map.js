// The surveyor's map of assigned spaces (points from the page; no request needed).
(function () {
  "use strict";
  var COLORS = { good: "#1b7f3b", fair: "#c77c00", bad: "#b3261e", unknown: "#6b6b6b" };
  window.addEventListener("map:init", function (event) {
    var map = event.detail.map;
    var source = document.getElementById("assignment-points");
    if (!source) return;
    var layer = L.geoJSON(JSON.parse(source.textContent), {
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, {
          radius: 10,
          color: "#fff",
          weight: 2,
          fillColor: COLORS[feature.properties.condition] || COLORS.unknown,
          fillOpacity: 0.95,
        });
      },
      onEachFeature: function (feature, marker) {
        var link = document.createElement("a");
        link.href = feature.properties.url;
        link.textContent = feature.properties.name;
        marker.bindPopup(link);
      },
    }).addTo(map);
    if (layer.getBounds().isValid()) map.fitBounds(layer.getBounds(), { padding: [24, 24], maxZoom: 17 });
  });
})();
